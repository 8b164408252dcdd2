/**
 * Database-side security (issue 5; reliability.md L9-L11, M13, M14, T15, T35), through the real
 * exporter's /probe:
 * - hostile servers (test/helpers/rogue-mysql.ts) get no password bytes, decrypted or not, no file,
 *   and cannot hold a scrape past its deadline or grow our memory without bound;
 * - positive controls show that our plugin decision is what blocks each leak (the same rogue does get
 *   the password when a section opts in to the unsafe path), so these tests can fail;
 * - TLS to a real MariaDB started with --ssl-ca/--ssl-cert/--ssl-key and certificates made by the
 *   openssl CLI: right CA, wrong CA, server name for an IP target, require_secure_transport, and two
 *   auth modules with different CAs probed in parallel.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2';
import mysqlPromise from 'mysql2/promise';
import { REFUSED_UNVERIFIED_KEY } from '../../src/db/auth-plugins.js';
import { DEFAULT_MAX_RESULT_BYTES, Target } from '../../src/db/target.js';
import { createLogger } from '../../src/log/logger.js';
import { type TestExporter, cleanup, sampleValue, startExporter, writeMyCnf } from '../helpers/exporter.js';
import { ADMIN_PASSWORD, ADMIN_USER, type MariaDb, sqlString, startMariaDb } from '../helpers/mariadb.js';
import {
  CLIENT_LOCAL_FILES,
  type RogueMode,
  type RogueMysql,
  startRogueMysql,
} from '../helpers/rogue-mysql.js';
import { Secret } from '../../src/model/secret.js';
import { type TestCert, makeTestCa } from '../helpers/test-ca.js';
import { tempDir } from '../helpers/tmp.js';

const CANARY = `Cn4ry#?@x;"' %/=+ü`;
/** The scrape deadline is 3 s minus the default 0.25 s offset. */
const TIMEOUT_HEADER = { 'X-Prometheus-Scrape-Timeout-Seconds': '3' };
const DEADLINE_MS = 2750;

function cnfString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Every encoding a careless client could have used for the canary. */
function leaks(bytes: Buffer): boolean {
  return [
    Buffer.from(CANARY, 'utf8'),
    Buffer.from(CANARY, 'latin1'),
    Buffer.from(CANARY, 'utf16le'),
    Buffer.from(encodeURIComponent(CANARY), 'utf8'),
    Buffer.from('Cn4ry#', 'utf8'),
  ].some((needle) => bytes.includes(needle));
}

interface ProbeResult {
  readonly status: number;
  readonly body: string;
  readonly up: number | undefined;
  readonly ms: number;
}

async function probe(exp: TestExporter, target: string, module?: string): Promise<ProbeResult> {
  const t0 = Date.now();
  const q = `target=${encodeURIComponent(target)}${module ? `&auth_module=${encodeURIComponent(module)}` : ''}`;
  const r = await exp.get(`/probe?${q}`, TIMEOUT_HEADER);
  return { status: r.status, body: r.body, up: sampleValue(r.body, 'mysql_up'), ms: Date.now() - t0 };
}

function logsSince(exp: TestExporter, from: number): string {
  return exp.logs.slice(from).join('\n');
}

describe('rogue MySQL servers (T35): no password, no file, bounded time and memory', () => {
  const rogues = new Map<RogueMode, RogueMysql>();
  let socketRogue: RogueMysql;
  let shaSocketRogue: RogueMysql;
  let exp: TestExporter;
  let dir: string;

  const rogue = (m: RogueMode): RogueMysql => {
    const r = rogues.get(m);
    assert.ok(r, m);
    return r;
  };
  const at = (m: RogueMode) => `127.0.0.1:${rogue(m).port}`;

  before(async () => {
    const modes: RogueMode[] = [
      'clear-password',
      'caching-sha2',
      'local-infile',
      'endless-rows',
      'huge-packet',
      'huge-greeting',
      'silent',
    ];
    for (const m of modes) rogues.set(m, await startRogueMysql(m));
    dir = tempDir('mysql-exporter-rogue-');
    socketRogue = await startRogueMysql('clear-password', { path: join(dir, 'clear.sock') });
    shaSocketRogue = await startRogueMysql('caching-sha2', { path: join(dir, 'sha.sock') });
    const pinned = join(dir, 'rogue-key.pem');
    writeFileSync(pinned, rogue('caching-sha2').publicKeyPem);
    const cnf = writeMyCnf(
      `[client]\nhost = 127.0.0.1\nport = ${rogue('silent').port}\nuser = exporter\npassword = ${cnfString(CANARY)}\n` +
        `[client.pinned]\nserver-public-key-path = ${pinned}\n` +
        '[client.cleartext]\nenable-cleartext-plugin = 1\n' +
        '[client.tlsskip]\ntls = skip-verify\n',
    );
    exp = await startExporter(cnf, [
      ...modes.map((m) => `--probe.allow=${at(m)}`),
      `--probe.allow=unix://${socketRogue.path}`,
      `--probe.allow=unix://${shaSocketRogue.path}`,
    ]);
  });

  after(async () => {
    await exp?.stop();
    for (const r of rogues.values()) await r.close();
    await socketRogue?.close();
    await shaSocketRogue?.close();
    if (dir) cleanup(dir);
  });

  /** No canary anywhere: bytes any client sent, decrypted packets, the HTTP body, the log. */
  function assertNothingLeaked(r: RogueMysql, res?: ProbeResult) {
    assert.equal(leaks(r.captured()), false, `${r.mode}: the canary is in the captured bytes`);
    assert.equal(r.recovered.includes(CANARY), false, `${r.mode}: the rogue decrypted the canary`);
    if (res) assert.equal(res.body.includes(CANARY), false, 'canary in the HTTP body');
    assert.equal(exp.logs.join('\n').includes(CANARY), false, 'canary in the log');
  }

  test('(a) mysql_clear_password: refused, with or without enable-cleartext-plugin on plain TCP', async () => {
    const r = rogue('clear-password');
    const from = exp.logs.length;
    const plain = await probe(exp, at('clear-password'));
    assert.equal(plain.status, 200);
    assert.equal(plain.up, 0);
    const optedIn = await probe(exp, at('clear-password'), 'client.cleartext');
    assert.equal(optedIn.up, 0);
    assert.ok(r.connections() >= 2, 'the exporter did connect');
    assert.equal(r.captured().length > 0, true);
    assertNothingLeaked(r, plain);
    assertNothingLeaked(r, optedIn);
    const log = logsSince(exp, from);
    assert.match(log, /refusing mysql_clear_password: the server asked for the password in clear text/);
    assert.match(log, /refusing mysql_clear_password over a connection that is not verified TLS/);
  });

  test('(a) positive control: the opted-in section over a unix socket does send it (allowed case)', async () => {
    const target = `unix://${socketRogue.path}`;
    const denied = await probe(exp, target);
    assert.equal(denied.up, 0);
    assert.equal(leaks(socketRogue.captured()), false, 'no opt-in: nothing sent even over a socket');
    await probe(exp, target, 'client.cleartext');
    assert.equal(leaks(socketRogue.captured()), true, 'the decision, not the rogue, is what blocked it');
  });

  test('(b) caching_sha2 full authentication with the server key: refused, nothing decryptable', async () => {
    const r = rogue('caching-sha2');
    const from = exp.logs.length;
    const res = await probe(exp, at('caching-sha2'));
    assert.equal(res.status, 200);
    assert.equal(res.up, 0);
    assert.ok(r.connections() >= 1);
    assertNothingLeaked(r, res);
    assert.deepEqual(r.recovered, [], 'nothing the rogue could decrypt was sent');
    assert.ok(logsSince(exp, from).includes(REFUSED_UNVERIFIED_KEY), 'the refusal is logged');
    // TLS without verification is no better: the rogue offers no TLS, and nothing is sent.
    const skip = await probe(exp, at('caching-sha2'), 'client.tlsskip');
    assert.equal(skip.up, 0);
    assertNothingLeaked(r, skip);
  });

  test('(b) positive controls: pinning the rogue key, or plain mysql2 defaults, hand it the password', async () => {
    // A second rogue keeps the captures of the refusal test clean.
    const r = await startRogueMysql('caching-sha2');
    try {
      // Plain mysql2 3.24.x, default options: asks the server for its key and encrypts to it (L10).
      await new Promise<void>((resolve) => {
        const c = mysql.createConnection({
          host: '127.0.0.1',
          port: r.port,
          user: 'u',
          password: CANARY,
          connectTimeout: 2000,
        });
        c.on('error', () => {});
        c.query('SELECT 1', () => {
          c.destroy();
          resolve();
        });
      });
      assert.ok(r.recovered.includes(CANARY), 'vanilla mysql2 leaks to a rogue key (the bug we guard)');
    } finally {
      await r.close();
    }
    // Our exporter with the rogue's own key pinned: the key is trusted by configuration.
    const own = rogue('caching-sha2');
    const before = own.recovered.length;
    await probe(exp, at('caching-sha2'), 'client.pinned');
    assert.ok(own.recovered.slice(before).includes(CANARY), 'pinned key = rogue key: recoverable');
    // And over a unix socket, full authentication sends the password (trusted channel).
    await probe(exp, `unix://${shaSocketRogue.path}`);
    assert.equal(leaks(shaSocketRogue.captured()), true);
  });

  test('(c) LOCAL INFILE: not offered, and a request sends no file', async () => {
    const r = rogue('local-infile');
    const res = await probe(exp, at('local-infile'));
    assert.equal(res.up, 0);
    assert.ok(r.clientFlags.length >= 1);
    for (const f of r.clientFlags) assert.equal(f & CLIENT_LOCAL_FILES, 0, 'CLIENT_LOCAL_FILES not offered');
    assert.equal(r.infileBytes(), 0, 'no file data came back');
    const passwd = readFileSync('/etc/passwd');
    const firstLine = passwd.subarray(0, passwd.indexOf(0x0a));
    assert.equal(r.captured().includes(firstLine), false);
    assert.equal(r.captured().includes(Buffer.from('root:')), false);
    assertNothingLeaked(r, res);
  });

  for (const mode of ['endless-rows', 'huge-packet'] as const) {
    test(`(d) ${mode}: capped at ${DEFAULT_MAX_RESULT_BYTES >> 20} MiB, within the deadline`, async () => {
      const r = rogue(mode);
      const from = exp.logs.length;
      const rss0 = process.memoryUsage().rss;
      const res = await probe(exp, at(mode));
      const grew = process.memoryUsage().rss - rss0;
      assert.equal(res.status, 200);
      assert.equal(res.up, 0);
      assert.ok(res.ms < DEADLINE_MS + 500, `took ${res.ms} ms`);
      assert.ok(
        r.bytesWritten() < DEFAULT_MAX_RESULT_BYTES + 16 * 1024 * 1024,
        `the rogue pushed ${r.bytesWritten()} bytes`,
      );
      assert.ok(grew < 400 * 1024 * 1024, `rss grew by ${grew >> 20} MiB`);
      assert.match(logsSince(exp, from), /more than \d+ bytes for one statement/);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(r.open(), 0, 'the connection was closed');
      assertNothingLeaked(r, res);
    });
  }

  test('(d) a greeting that never ends: cut off before authentication', async () => {
    const r = rogue('huge-greeting');
    const from = exp.logs.length;
    const res = await probe(exp, at('huge-greeting'));
    assert.equal(res.up, 0);
    assert.ok(res.ms < DEADLINE_MS + 500, `took ${res.ms} ms`);
    assert.ok(r.bytesWritten() < 16 * 1024 * 1024, `the rogue pushed ${r.bytesWritten()} bytes`);
    assert.match(logsSince(exp, from), /HANDSHAKE_TOO_LARGE/);
  });

  test('(e) no greeting at all: mysql_up 0 within the deadline', async () => {
    const r = rogue('silent');
    const from = exp.logs.length;
    const res = await probe(exp, at('silent'));
    assert.equal(res.status, 200);
    assert.equal(res.up, 0);
    assert.ok(res.ms < DEADLINE_MS + 500, `took ${res.ms} ms`);
    assert.ok(r.connections() >= 1);
    assert.match(logsSince(exp, from), /ETIMEDOUT|deadline/);
  });

  test('the exporter is still up and never wrote the password anywhere', async () => {
    const landing = await exp.get('/');
    assert.equal(landing.status, 200);
    const m = await exp.get('/metrics', TIMEOUT_HEADER);
    assert.equal(m.status, 200);
    assert.equal(sampleValue(m.body, 'mysql_up'), 0);
    for (const r of rogues.values()) {
      if (r.mode === 'caching-sha2') continue; // the pinned-key control sent it there on purpose
      assertNothingLeaked(r);
    }
    assert.equal(exp.logs.join('\n').includes(CANARY), false);
  });
});

// --- TLS to a real MariaDB ---

interface Pki {
  readonly dir: string;
  readonly ca1: string;
  readonly ca2: string;
  /** Signed by CA 1; SAN DNS:db.test and IP:127.0.0.1. */
  readonly serverA: TestCert;
  /** Signed by CA 2; SAN DNS:db.test only. */
  readonly serverB: TestCert;
}

function makePki(): Pki {
  const dir = tempDir('mysql-exporter-pki-');
  const ca1 = makeTestCa({
    dir,
    name: 'ca1',
    leaves: [{ name: 'server-a', cn: 'db.test', san: 'DNS:db.test,IP:127.0.0.1' }],
  });
  const ca2 = makeTestCa({
    dir,
    name: 'ca2',
    leaves: [{ name: 'server-b', cn: 'db.test', san: 'DNS:db.test' }],
  });
  return {
    dir,
    ca1: ca1.caPath,
    ca2: ca2.caPath,
    serverA: ca1.leaf('server-a'),
    serverB: ca2.leaf('server-b'),
  };
}

const TLS_USER = 'tls_user';
const TLS_PASSWORD = 'tls-pw;#1';
const PLAIN_USER = 'plain_user';
const PLAIN_PASSWORD = 'plain-pw';

function usersSql(): string[] {
  return [
    `CREATE USER '${TLS_USER}'@'127.0.0.1' IDENTIFIED BY ${sqlString(TLS_PASSWORD)} REQUIRE SSL`,
    `GRANT PROCESS, REPLICATION CLIENT, SELECT ON *.* TO '${TLS_USER}'@'127.0.0.1'`,
    `CREATE USER '${PLAIN_USER}'@'127.0.0.1' IDENTIFIED BY ${sqlString(PLAIN_PASSWORD)}`,
    `GRANT PROCESS, REPLICATION CLIENT, SELECT ON *.* TO '${PLAIN_USER}'@'127.0.0.1'`,
  ];
}

describe('TLS to MariaDB (T15)', () => {
  let pki: Pki;
  let a: MariaDb;
  let b: MariaDb;
  let exp: TestExporter;

  before(async () => {
    pki = makePki();
    const ssl = (s: TestCert, ca: string) => [
      `--ssl-ca=${ca}`,
      `--ssl-cert=${s.certPath}`,
      `--ssl-key=${s.keyPath}`,
    ];
    [a, b] = await Promise.all([
      startMariaDb({ args: ssl(pki.serverA, pki.ca1), initSql: usersSql() }),
      startMariaDb({ args: ssl(pki.serverB, pki.ca2), initSql: usersSql() }),
    ]);
    const cnf = writeMyCnf(
      `[client]\nhost = 127.0.0.1\nport = ${a.port}\nuser = ${TLS_USER}\npassword = ${cnfString(TLS_PASSWORD)}\n` +
        `tls = true\nssl-ca = ${pki.ca1}\n` +
        `[client.ca1]\nssl-ca = ${pki.ca1}\n` +
        `[client.ca1tls13]\nssl-ca = ${pki.ca1}\ntls-min-version = TLSv1.3\n` +
        `[client.ca2]\nssl-ca = ${pki.ca2}\n` +
        `[client.ca1named]\nssl-ca = ${pki.ca1}\ntls-server-name = db.test\n` +
        `[client.ca2named]\nssl-ca = ${pki.ca2}\ntls-server-name = db.test\n` +
        `[client.plain]\nuser = ${PLAIN_USER}\npassword = ${PLAIN_PASSWORD}\ntls = false\n` +
        `[client.plain2]\nuser = ${PLAIN_USER}\npassword = ${PLAIN_PASSWORD}\ntls = false\n`,
    );
    exp = await startExporter(cnf, [
      `--probe.allow=127.0.0.1:${a.port}`,
      `--probe.allow=127.0.0.1:${b.port}`,
      '--exporter.max_open_connections=4',
    ]);
  });

  after(async () => {
    await exp?.stop();
    await Promise.all([a?.destroy(), b?.destroy()]);
    if (pki) cleanup(pki.dir);
  });

  const log = createLogger({ level: 'error', format: 'logfmt', write: () => {} });

  /** A Target built like the exporter builds one, for session-level evidence. */
  function directTarget(port: number, tls: ConstructorParameters<typeof Target>[0]['credentials']['tls']) {
    return new Target({
      address: { kind: 'tcp', host: '127.0.0.1', port },
      credentials: { user: TLS_USER, password: Secret.of(TLS_PASSWORD), tls },
      poolSize: 2,
      lockWaitTimeoutSeconds: 0,
      statementTimeoutMs: 0,
      connectTimeoutMs: 3000,
      log,
    });
  }

  test('right CA: mysql_up 1, and the session is encrypted', async () => {
    const from = exp.logs.length;
    const r = await probe(exp, `127.0.0.1:${a.port}`, 'client.ca1');
    assert.equal(r.up, 1, logsSince(exp, from));
    // The account is REQUIRE SSL, so up 1 already implies TLS; the session says so too.
    const t = directTarget(a.port, { mode: 'verify', ca: pki.ca1 });
    try {
      const res = await t
        .db(AbortSignal.timeout(5000))
        .query("SHOW SESSION STATUS WHERE Variable_name IN ('Ssl_cipher', 'Ssl_version')");
      const status = Object.fromEntries(res.rows.map((row) => [row.Variable_name, row.Value]));
      assert.ok(String(status.Ssl_cipher ?? '').length > 0, JSON.stringify(status));
      assert.match(String(status.Ssl_version), /^TLSv1\.[23]$/);
    } finally {
      await t.close();
    }
    const r13 = await probe(exp, `127.0.0.1:${a.port}`, 'client.ca1tls13');
    assert.equal(r13.up, 1);
    const t13 = directTarget(a.port, { mode: 'verify', ca: pki.ca1, minVersion: 'TLSv1.3' });
    try {
      const res = await t13.db(AbortSignal.timeout(5000)).query("SHOW SESSION STATUS LIKE 'Ssl_version'");
      assert.equal(res.rows[0]?.Value, 'TLSv1.3');
    } finally {
      await t13.close();
    }
  });

  test('wrong CA: mysql_up 0 with a certificate error in the log', async () => {
    const from = exp.logs.length;
    const r = await probe(exp, `127.0.0.1:${a.port}`, 'client.ca2');
    assert.equal(r.status, 200);
    assert.equal(r.up, 0);
    assert.match(logsSince(exp, from), /connection failed.*(certificate|self.signed|UNABLE_TO|issuer)/i);
  });

  test('IP target with a DNS-only SAN: only with tls-server-name', async () => {
    const from = exp.logs.length;
    const without = await probe(exp, `127.0.0.1:${b.port}`, 'client.ca2');
    assert.equal(without.up, 0);
    assert.match(logsSince(exp, from), /altnames|IP: 127\.0\.0\.1 is not in the cert's list/i);
    const named = await probe(exp, `127.0.0.1:${b.port}`, 'client.ca2named');
    assert.equal(named.up, 1, named.body.slice(0, 500));
    // The name does not weaken the CA check.
    const wrongCa = await probe(exp, `127.0.0.1:${b.port}`, 'client.ca1named');
    assert.equal(wrongCa.up, 0);
  });

  test('require_secure_transport=ON with a client not configured for TLS: a clear error', async () => {
    const control = await probe(exp, `127.0.0.1:${a.port}`, 'client.plain');
    assert.equal(control.up, 1, 'plain TCP works while the server allows it');
    await a.sql('SET GLOBAL require_secure_transport = ON');
    try {
      const from = exp.logs.length;
      // Another module = a fresh pool: the control's pooled connection predates the setting.
      const r = await probe(exp, `127.0.0.1:${a.port}`, 'client.plain2');
      assert.equal(r.up, 0);
      assert.match(logsSince(exp, from), /insecure transport|require_secure_transport/i);
      const tls = await probe(exp, `127.0.0.1:${a.port}`, 'client.ca1');
      assert.equal(tls.up, 1);
    } finally {
      // Plain admin connections are refused now too: switch it off over TLS.
      const admin = await mysqlPromise.createConnection({
        host: '127.0.0.1',
        port: a.port,
        user: ADMIN_USER,
        password: ADMIN_PASSWORD,
        ssl: { ca: readFileSync(pki.ca1) },
      });
      await admin.query('SET GLOBAL require_secure_transport = OFF');
      await admin.end();
    }
  });

  test('two auth modules with different CAs, probed in parallel 100 times: no cross-module success', async () => {
    const cases = [
      { target: `127.0.0.1:${a.port}`, module: 'client.ca1', up: 1 },
      { target: `127.0.0.1:${a.port}`, module: 'client.ca2named', up: 0 },
      { target: `127.0.0.1:${b.port}`, module: 'client.ca2named', up: 1 },
      { target: `127.0.0.1:${b.port}`, module: 'client.ca1named', up: 0 },
    ];
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => {
        const c = cases[i % cases.length]!;
        return probe(exp, c.target, c.module).then((r) => ({ c, r }));
      }),
    );
    const mixups = results.filter(({ c, r }) => r.up !== c.up);
    assert.deepEqual(
      mixups.map(({ c, r }) => `${c.module}@${c.target}: up=${r.up} status=${r.status}`),
      [],
    );
    // The same through direct Targets, without single-flight: 100 parallel connection attempts.
    const targets = [
      { t: directTarget(a.port, { mode: 'verify', ca: pki.ca1 }), ok: true },
      { t: directTarget(a.port, { mode: 'verify', ca: pki.ca2, serverName: 'db.test' }), ok: false },
      { t: directTarget(b.port, { mode: 'verify', ca: pki.ca2, serverName: 'db.test' }), ok: true },
      { t: directTarget(b.port, { mode: 'verify', ca: pki.ca1, serverName: 'db.test' }), ok: false },
    ];
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 100 }, (_, i) => {
          const x = targets[i % targets.length]!;
          return x.t.serverInfo(AbortSignal.timeout(10_000)).then(
            () => ({ i, ok: true, want: x.ok }),
            () => ({ i, ok: false, want: x.ok }),
          );
        }),
      );
      assert.deepEqual(
        outcomes.filter((o) => o.ok !== o.want),
        [],
      );
    } finally {
      await Promise.all(targets.map((x) => x.t.close()));
    }
  });
});
