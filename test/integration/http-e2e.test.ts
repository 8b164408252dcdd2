/**
 * End to end: the exporter in-process, a real MariaDB, HTTP on a loopback port. Checks mysql_up,
 * the default collectors, collect[] filtering, parameter validation, promtool, the health and
 * reload endpoints, and that the password (a canary with special characters) appears nowhere.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { type IncomingHttpHeaders, get as httpGet } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { type MariaDb, createExporterUser, freePort, startMariaDb } from '../helpers/mariadb.js';
import {
  type TestExporter,
  cnfFor,
  duplicateSeries,
  promtoolCheck,
  sampleValue,
  startExporter,
  writeMyCnf,
} from '../helpers/exporter.js';

const CANARY = 'Cn4ry#?@x;"\' %/=+ü';

describe('exporter over HTTP against a real MariaDB', () => {
  let db: MariaDb;
  let exp: TestExporter;
  const bodies: string[] = [];

  before(async () => {
    db = await startMariaDb();
    await createExporterUser(db, 'exporter', CANARY);
    exp = await startExporter(writeMyCnf(cnfFor(db.port, 'exporter', CANARY)));
  });
  after(async () => {
    await exp?.stop();
    await db?.destroy();
    for (const text of [...bodies, ...(exp?.logs ?? [])]) {
      assert.ok(!text.includes(CANARY), 'the password appeared in a body or a log line');
      assert.ok(!text.includes('Cn4ry'), 'part of the password appeared in a body or a log line');
    }
  });

  test('GET /metrics: mysql_up 1, default collectors succeed, output passes promtool', async () => {
    const r = await exp.get('/metrics', { 'X-Prometheus-Scrape-Timeout-Seconds': '5' });
    bodies.push(r.body);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /text\/plain; version=0\.0\.4/);
    assert.equal(sampleValue(r.body, 'mysql_up'), 1);
    for (const c of [
      'global_status',
      'global_variables',
      'slave_status',
      'info_schema.innodb_cmp',
      'info_schema.innodb_cmpmem',
    ]) {
      assert.equal(
        sampleValue(r.body, `mysql_exporter_collector_success{collector="collect.${c}"}`),
        1,
        `collector ${c} should succeed`,
      );
    }
    assert.match(r.body, /^mysql_global_status_commands_total\{command="select"\} \d+/m);
    assert.match(
      r.body,
      /^mysql_version_info\{innodb_version="[^"]*",version="10\.11[^"]*",version_comment="[^"]*"\} 1$/m,
    );
    assert.match(r.body, /^# TYPE mysql_global_status_uptime untyped$/m);
    assert.match(r.body, /^process_resident_memory_bytes \d+/m);
    assert.match(r.body, /^mysql_exporter_build_info\{/m);
    const check = promtoolCheck(r.body);
    assert.equal(check.errors, '');
    assert.deepEqual(duplicateSeries(r.body), []);
    assert.doesNotMatch(r.body, /\b(NaN|Nan|undefined|null)$/m);
  });

  test('the pool is reused: no new server connection per scrape in steady state', async () => {
    await exp.get('/metrics');
    const before = Number((await db.sql("SHOW GLOBAL STATUS LIKE 'Connections'"))[0]?.Value);
    for (let i = 0; i < 5; i++) await exp.get('/metrics');
    const afterCount = Number((await db.sql("SHOW GLOBAL STATUS LIKE 'Connections'"))[0]?.Value);
    // Our own admin connection for each SHOW STATUS counts once.
    assert.equal(afterCount - before, 1);
    const sessions = await db.sql(
      "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = 'exporter'",
    );
    assert.ok(Number(sessions[0]?.n) <= 2, 'sessions stay within --exporter.max_open_connections');
  });

  test('collect[] narrows the collectors; an unknown one or a non-string is a 400', async () => {
    const r = await exp.get('/metrics?collect[]=global_variables');
    bodies.push(r.body);
    assert.equal(r.status, 200);
    assert.match(r.body, /mysql_global_variables_max_connections/);
    assert.doesNotMatch(r.body, /mysql_global_status_uptime/);
    const bad = await exp.get('/metrics?collect[]=no_such_collector');
    bodies.push(bad.body);
    assert.equal(bad.status, 400);
    assert.match(bad.body, /no_such_collector/);
    const obj = await exp.get('/metrics?collect[]=x&collect[]=' + 'y'.repeat(300));
    assert.equal(obj.status, 400);
  });

  test('health, readiness, landing page, 404 and reload method', async () => {
    assert.equal((await exp.get('/-/healthy')).status, 200);
    assert.equal((await exp.get('/-/ready')).status, 200);
    const landing = await exp.get('/');
    assert.equal(landing.status, 200);
    assert.match(landing.body, /<a href="\/metrics">/);
    assert.match(landing.body, /global_status/);
    assert.equal((await exp.get('/nope')).status, 404);
    const getReload = await exp.get('/-/reload');
    assert.equal(getReload.status, 405);
    const post = await fetch(`${exp.url}/-/reload`, { method: 'POST' });
    assert.equal(post.status, 200);
  });

  test('a failed reload keeps the running config and reports 500', async () => {
    writeFileSync(exp.cnfPath, `[client]\nport = notanumber\nuser = exporter\npassword = "${CANARY}"\n`);
    const post = await fetch(`${exp.url}/-/reload`, { method: 'POST' });
    const body = await post.text();
    bodies.push(body);
    assert.equal(post.status, 500);
    assert.match(body, /port/);
    const r = await exp.get('/metrics');
    bodies.push(r.body);
    assert.equal(sampleValue(r.body, 'mysql_up'), 1, 'still scraping with the old credentials');
    assert.equal(sampleValue(r.body, 'mysql_exporter_config_last_reload_successful'), 0);
    writeFileSync(exp.cnfPath, cnfFor(db.port, 'exporter', CANARY));
    assert.equal((await fetch(`${exp.url}/-/reload`, { method: 'POST' })).status, 200);
  });

  test('gzip when the scraper accepts it (as Prometheus does), identity otherwise; Vary: Accept-Encoding', async () => {
    const raw = (acceptEncoding?: string) =>
      new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        const u = new URL(`${exp.url}/metrics`);
        httpGet(
          {
            host: u.hostname,
            port: u.port,
            path: u.pathname,
            headers: acceptEncoding === undefined ? {} : { 'Accept-Encoding': acceptEncoding },
          },
          (res) => {
            const parts: Buffer[] = [];
            res.on('data', (c: Buffer) => parts.push(c));
            res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(parts) }));
          },
        ).on('error', reject);
      });
    for (const accept of ['gzip', 'gzip, deflate, br', 'deflate, gzip;q=0.5', '*']) {
      const r = await raw(accept);
      assert.equal(r.headers['content-encoding'], 'gzip', accept);
      assert.equal(
        Number(r.headers['content-length']),
        r.body.length,
        'Content-Length is the compressed length',
      );
      assert.equal(r.headers.vary, 'Accept, Accept-Encoding');
      const text = gunzipSync(r.body).toString('utf8');
      bodies.push(text);
      assert.equal(sampleValue(text, 'mysql_up'), 1);
      assert.equal(duplicateSeries(text).length, 0);
      assert.ok(r.body.length * 4 < text.length, `compressed ${r.body.length} of ${text.length} bytes`);
    }
    for (const accept of [undefined, 'identity', 'gzip;q=0', 'br', '*;q=0']) {
      const r = await raw(accept);
      assert.equal(r.headers['content-encoding'], undefined, String(accept));
      assert.equal(Number(r.headers['content-length']), r.body.length);
      assert.equal(sampleValue(r.body.toString('utf8'), 'mysql_up'), 1);
    }
  });
});

describe('exporter with an unreachable or misconfigured server', () => {
  test('server down: 200 with mysql_up 0 within the deadline', async () => {
    const port = await freePort();
    const exp = await startExporter(writeMyCnf(cnfFor(port, 'exporter', CANARY)));
    try {
      const t0 = Date.now();
      const r = await exp.get('/metrics', { 'X-Prometheus-Scrape-Timeout-Seconds': '3' });
      assert.ok(Date.now() - t0 < 3000);
      assert.equal(r.status, 200);
      assert.equal(sampleValue(r.body, 'mysql_up'), 0);
      assert.equal(promtoolCheck(r.body).errors, '');
      assert.ok(exp.logs.some((l) => l.includes('connection failed') && l.includes(`127.0.0.1:${port}`)));
      for (const l of exp.logs) assert.ok(!l.includes('Cn4ry'));
    } finally {
      await exp.stop();
    }
  });

  test('an account without PROCESS is flagged once in the log (the processlist would silently shrink)', async () => {
    const db = await startMariaDb();
    await db.sql(
      "CREATE USER 'thin'@'127.0.0.1' IDENTIFIED BY 'pw'",
      "GRANT SELECT, SLAVE MONITOR ON *.* TO 'thin'@'127.0.0.1'",
    );
    const exp = await startExporter(writeMyCnf(cnfFor(db.port, 'thin', 'pw')), [
      '--collect.info_schema.processlist',
    ]);
    try {
      for (let i = 0; i < 3; i++) assert.equal(sampleValue((await exp.get('/metrics')).body, 'mysql_up'), 1);
      let warnings: string[] = [];
      for (let i = 0; i < 50 && warnings.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        warnings = exp.logs.filter((l) => l.includes('lacks a recommended privilege'));
      }
      assert.equal(warnings.length, 1, 'one warning, for PROCESS only, not one per scrape');
      assert.match(warnings[0]!, /privilege=PROCESS/);
      assert.match(warnings[0]!, /processlist/);
    } finally {
      await exp.stop();
      await db.destroy();
    }
  });

  test('wrong password: 200 with mysql_up 0, the error names the cause, not the password', async () => {
    const db = await startMariaDb();
    const exp = await startExporter(writeMyCnf(cnfFor(db.port, 'exporter', `${CANARY}-wrong`)));
    try {
      await createExporterUser(db, 'exporter', CANARY);
      const r = await exp.get('/metrics');
      assert.equal(sampleValue(r.body, 'mysql_up'), 0);
      assert.ok(exp.logs.some((l) => l.includes('ER_ACCESS_DENIED_ERROR')));
      for (const l of exp.logs) assert.ok(!l.includes('Cn4ry'), l);
      assert.ok(!r.body.includes('Cn4ry'));
    } finally {
      await exp.stop();
      await db.destroy();
    }
  });
});
