/**
 * Fault matrix T34 (the cases test/integration/probe.test.ts does not cover) and T41: hostile /probe
 * targets never reach the network; SIGTERM with scrapes in flight finishes them, closes the pools
 * with COM_QUIT and exits 0.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MariaDb } from '../helpers/mariadb.js';
import { sleep, startFaultDb } from '../helpers/fault/db.js';
import {
  type FaultExporter,
  queryFile,
  startExporter,
  writeCnf,
  writeQueries,
} from '../helpers/fault/exporter.js';
import { assertAlive, assertNoCanary, collectorSuccess, up } from '../helpers/fault/invariants.js';
import { type Listener, decoyListener, httpGet } from '../helpers/fault/net.js';
import { counterDelta, serverCounters, sessions, waitFor } from '../helpers/fault/server-state.js';

describe('fault T34, T41: hostile probe targets, graceful shutdown', () => {
  let db: MariaDb;
  let decoy: Listener;
  const exps: FaultExporter[] = [];

  before(async () => {
    db = await startFaultDb();
    decoy = await decoyListener();
  });
  after(async () => {
    for (const e of exps) await e.stop();
    await decoy?.close();
    assertNoCanary(exps, [db]);
    await db?.destroy();
  });

  test('T34: hostile /probe targets get 4xx and nothing is dialled', async () => {
    const exp = await startExporter(writeCnf(db), { args: [`--probe.allow=127.0.0.1:${db.port}`] });
    exps.push(exp);
    const own = new URL(exp.url).port;
    const targets = [
      `127.0.0.1:${decoy.port}`,
      `127.0.0.1:${own}`,
      '127.0.0.1:22',
      '[::1]:3306',
      'evil.example:3306',
      `localhost:${db.port}`,
      `127.0.0.1:${db.port}/x`,
      `127.0.0.1:${db.port}?x=1`,
      'x'.repeat(64 * 1024),
      `127.0.0.1:${db.port}%00`,
    ];
    const before = await serverCounters(db);
    for (const t of targets) {
      const r = await exp.get(`/probe?target=${encodeURIComponent(t)}`);
      assert.ok(r.status >= 400 && r.status < 500, `T34 ${t.slice(0, 40)}: HTTP ${r.status}`);
      assert.doesNotMatch(r.body, /\sat\s.*\(/, 'no stack trace');
      assert.ok(r.body.length < 512, 'T34: no reflection of a long target');
    }
    await sleep(100);
    assert.equal(decoy.accepts(), 0, 'T34: the decoy saw no connection');
    const d = counterDelta(before, await serverCounters(db));
    assert.ok(
      d.Connections <= 1,
      `T34: the allowed server saw ${d.Connections} connections (our probe only)`,
    );
    await assertAlive(exp);
  });

  test('T41: SIGTERM with three scrapes in flight -> they finish, new ones are refused, exit 0, no aborted connection', async () => {
    const queries = writeQueries({ 's1.yaml': queryFile('fault.s1', 'SELECT SLEEP(1) AS v') });
    const exp = await startExporter(writeCnf(db), {
      child: true,
      args: [`--queries.dir=${queries}`, '--exporter.shutdown_grace=5s'],
    });
    exps.push(exp);
    // Warm the pool so the counters below see only the shutdown.
    await exp.get('/metrics?collect[]=global_status');
    const before = await serverCounters(db);
    const errorLogBefore = db.errorLog.length;
    const sets = ['fault.s1', 'fault.s1&collect[]=global_status', 'fault.s1&collect[]=global_variables'];
    const inflight = sets.map((s) => exp.get(`/metrics?collect[]=${s}`, { timeoutMs: 15_000 }));
    await sleep(300);
    const t0 = Date.now();
    const mark = exp.mark();
    process.kill(exp.pid, 'SIGTERM');
    // The request below must arrive after the shutdown began: wait for its log line rather than a
    // fixed delay (a loaded machine can take longer than that to run the signal handler).
    await waitFor(
      'T41: shutdown begun',
      5000,
      () => exp.since(mark).some((l) => l.includes('shutting down')),
      10,
    );
    const late = await httpGet(`${exp.url}/metrics`, { timeoutMs: 3000 }).then(
      (r) => r.status,
      () => 0,
    );
    assert.ok(late === 0 || late === 503, `T41: a new request during shutdown got ${late}`);
    const results = await Promise.all(inflight);
    for (const r of results) {
      assert.equal(r.status, 200, 'T41: in-flight scrapes finish');
      assert.equal(up(r.body), 1);
      assert.equal(collectorSuccess(r.body, 'fault.s1'), 1);
    }
    const code = await exp.exited;
    const shutdownMs = Date.now() - t0;
    assert.equal(code, 0, 'T41: exit 0');
    assert.ok(shutdownMs < 5000, `T41: shutdown took ${shutdownMs} ms (grace 5 s)`);
    await sleep(200);
    const d = counterDelta(before, await serverCounters(db));
    assert.equal(d.Aborted_clients, 0, 'T41: pools closed with COM_QUIT');
    // COM_QUIT is asynchronous on the server side: give the threads a moment to go.
    await waitFor('T41: exporter sessions gone', 2000, async () => (await sessions(db)).total === 0).catch(
      () => {},
    );
    const left = await db.sql(
      "SELECT ID, COMMAND, TIME, STATE, INFO FROM information_schema.PROCESSLIST WHERE USER = 'exporter'",
    );
    assert.deepEqual(left, [], 'T41: no exporter session left');
    const newLog = db.errorLog.slice(errorLogBefore);
    assert.doesNotMatch(newLog, /Aborted connection.*user: 'exporter'/, 'T41: no Aborted connection warning');
    process.stdout.write(`# T41 figures: shutdown ${shutdownMs} ms with 3 scrapes in flight\n`);
  });
});
