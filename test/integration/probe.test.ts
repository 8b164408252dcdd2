/**
 * Multi-target /probe: deny by default, allow-list patterns, auth modules, parameter hygiene, and a
 * decoy listener that must never see a connection from a refused probe.
 */
import assert from 'node:assert/strict';
import { type Server, type Socket, createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type TestExporter, sampleValue, startExporter, writeMyCnf } from '../helpers/exporter.js';
import { type MariaDb, createExporterUser, startMariaDb } from '../helpers/mariadb.js';

function decoy(): Promise<{ server: Server; port: number; accepts: () => number }> {
  return new Promise((resolve) => {
    let n = 0;
    const sockets: Socket[] = [];
    const server = createServer((s) => {
      n++;
      sockets.push(s);
      s.destroy();
    });
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve({ server, port: typeof a === 'object' && a ? a.port : 0, accepts: () => n });
    });
  });
}

describe('/probe', () => {
  let db: MariaDb;
  let other: MariaDb;
  let exp: TestExporter;
  let trap: Awaited<ReturnType<typeof decoy>>;

  before(async () => {
    [db, other] = await Promise.all([startMariaDb(), startMariaDb()]);
    await createExporterUser(db, 'exporter', 'pw-one');
    await createExporterUser(other, 'probe_user', 'pw-two');
    trap = await decoy();
    const cnf = writeMyCnf(
      `[client]\nhost = 127.0.0.1\nport = ${db.port}\nuser = exporter\npassword = pw-one\n` +
        `[client.fleet]\nuser = probe_user\npassword = pw-two\n`,
    );
    exp = await startExporter(cnf, [
      `--probe.allow=127.0.0.1:${db.port}`,
      `--probe.allow=127.0.0.1/32:${other.port}`,
    ]);
  });
  after(async () => {
    await exp?.stop();
    trap?.server.close();
    await Promise.all([db?.destroy(), other?.destroy()]);
  });

  test('an allowed target answers with its own metrics only (no process metrics)', async () => {
    const r = await exp.get(`/probe?target=127.0.0.1:${db.port}`);
    assert.equal(r.status, 200);
    assert.equal(sampleValue(r.body, 'mysql_up'), 1);
    assert.match(r.body, /mysql_global_status_uptime/);
    assert.doesNotMatch(r.body, /^process_/m);
    assert.doesNotMatch(r.body, /^mysql_exporter_build_info/m);
  });

  test('auth_module selects the [client.<name>] credentials', async () => {
    const wrong = await exp.get(`/probe?target=127.0.0.1:${other.port}`);
    assert.equal(sampleValue(wrong.body, 'mysql_up'), 0, '[client] credentials do not work there');
    const right = await exp.get(`/probe?target=127.0.0.1:${other.port}&auth_module=client.fleet`);
    assert.equal(sampleValue(right.body, 'mysql_up'), 1);
    const unknown = await exp.get(`/probe?target=127.0.0.1:${other.port}&auth_module=client.nope`);
    assert.equal(unknown.status, 400);
  });

  test('refused targets never reach the network: the decoy sees zero connections', async () => {
    const p = trap.port;
    const cases: Array<[string, number]> = [
      [`127.0.0.1:${p}`, 403],
      [`localhost:${p}`, 403],
      [`[::1]:${p}`, 403],
      [`0x7f.1:${p}`, 400],
      [`2130706433:${p}`, 400],
      [`127.1:${p}`, 400],
      ['169.254.169.254:80', 403],
      ['unix:///var/run/docker.sock', 403],
      [`user:pw@127.0.0.1:${p}`, 400],
      ['x'.repeat(300), 400],
      ['', 400],
    ];
    for (const [target, status] of cases) {
      const r = await exp.get(`/probe?target=${encodeURIComponent(target)}`);
      assert.equal(r.status, status, `${target.slice(0, 40)} -> ${r.status} ${r.body}`);
    }
    for (const q of [
      `target=127.0.0.1:${db.port}&target=127.0.0.1:${p}`,
      `target[]=127.0.0.1:${p}`,
      `target[__proto__]=x`,
      `target=127.0.0.1:${db.port}&auth_module=a&auth_module=b`,
    ]) {
      const r = await exp.get(`/probe?${q}`);
      assert.equal(r.status, 400, q);
      assert.doesNotMatch(r.body, /\s+at\s/, 'no stack trace');
    }
    assert.equal((await exp.get('/probe')).status, 400);
    // /metrics ignores target= entirely.
    const m = await exp.get(`/metrics?target=127.0.0.1:${p}&auth_module=client`);
    assert.equal(sampleValue(m.body, 'mysql_up'), 1);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(trap.accepts(), 0);
  });

  test('without --probe.allow every probe is refused', async () => {
    const cnf = writeMyCnf(
      `[client]\nhost = 127.0.0.1\nport = ${db.port}\nuser = exporter\npassword = pw-one\n`,
    );
    const closed = await startExporter(cnf);
    try {
      const r = await closed.get(`/probe?target=127.0.0.1:${db.port}`);
      assert.equal(r.status, 403);
    } finally {
      await closed.stop();
    }
  });

  test('a target pool is reused across probes', async () => {
    const target = `127.0.0.1:${db.port}`;
    await exp.get(`/probe?target=${target}`);
    const before = Number((await db.sql("SHOW GLOBAL STATUS LIKE 'Connections'"))[0]?.Value);
    for (let i = 0; i < 5; i++) await exp.get(`/probe?target=${target}`);
    const afterCount = Number((await db.sql("SHOW GLOBAL STATUS LIKE 'Connections'"))[0]?.Value);
    assert.equal(afterCount - before, 1, 'only our own admin connection');
  });
});
