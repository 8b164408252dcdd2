/** The embedding example runs: the app's routes and /metrics (MySQL + the app's metrics) on one server. */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { buildApp } from '../../examples/embedded.js';
import { cnfFor, sampleValue, writeMyCnf } from '../helpers/exporter.js';
import { createExporterUser, startMariaDb } from '../helpers/mariadb.js';

test('examples/embedded.ts serves app routes and merged metrics from one express server', async () => {
  const db = await startMariaDb();
  await createExporterUser(db, 'exporter', 'pw');
  const { app, close } = await buildApp([`--config.my-cnf=${writeMyCnf(cnfFor(db.port, 'exporter', 'pw'))}`]);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    assert.equal(await (await fetch(`${base}/hello`)).text(), 'hello\n');
    await fetch(`${base}/hello`);
    const text = await (await fetch(`${base}/metrics`)).text();
    assert.equal(sampleValue(text, 'mysql_up'), 1);
    assert.equal(sampleValue(text, 'app_hello_requests_total'), 2);
    assert.match(text, /^mysql_global_status_uptime \d+/m);
    assert.doesNotMatch(text, /^process_cpu_user_seconds_total/m, 'no process metrics unless asked for');
  } finally {
    server.close();
    await close();
    await db.destroy();
  }
});
