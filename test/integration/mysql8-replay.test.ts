/**
 * MySQL 8.4 end to end through mysql2, against the replay server (test/helpers/mysql8-replay.ts):
 * no MySQL 8 server can run here, so captured MySQL 8.x result sets are replayed over the real wire
 * protocol (docs/mysql8.md says so). Covers version detection and statement choice, the default and
 * the MySQL-8-only collectors, /probe, caching_sha2_password fast and full authentication (verified
 * TLS, pinned key, fetched key, refusal), RDS IAM tokens over verified TLS, and a check that every
 * MySQL-8-only statement the collectors send has a replay answer.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadConfig } from '../../src/assemble.js';
import { after, before, describe, test } from 'node:test';
import { BUILTIN_COLLECTORS } from '../../src/collectors/index.js';
import { builtinQueriesDir, loadQueryFiles } from '../../src/declarative/index.js';
import { Target } from '../../src/db/target.js';
import { createLogger } from '../../src/log/logger.js';
import { type TestExporter, cleanup, sampleValue, startExporter, writeMyCnf } from '../helpers/exporter.js';
import { loadTsv } from '../helpers/fixtures.js';
import { MYSQL8_ANSWERS } from '../helpers/mysql8-captures.js';
import { type Mysql8Replay, startMysql8Replay } from '../helpers/mysql8-replay.js';
import { type TestCa, makeTestCa } from '../helpers/test-ca.js';
import { Secret } from '../../src/model/secret.js';

const PW = 'Replay#pw "8.4"';
const cnfString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const near = (a: number | undefined, b: number) => a !== undefined && Math.abs(a - b) < 1e-6;

/** The value of the first series of `name` in a text exposition that has these labels (and maybe others). */
function exposedValue(body: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of body.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

const SUCCESS = 'mysql_exporter_collector_success';
const MYSQL8_COLLECTORS = [
  'info_schema.processlist',
  'perf_schema.replication_lag',
  'perf_schema.replication_group_members',
  'slave_hosts',
];

describe('MySQL 8.4 replay, end to end through mysql2', () => {
  let ca: TestCa;
  let replay: Mysql8Replay;
  let exp: TestExporter;
  let cnf: string;
  const savedEnv = { ...process.env };

  before(async () => {
    ca = makeTestCa();
    replay = await startMysql8Replay({
      accounts: [
        { user: 'exporter', password: PW, plugin: 'caching_sha2_password' },
        {
          user: 'iam_exporter',
          plugin: 'mysql_clear_password',
          verify: (t) => t.startsWith(`127.0.0.1:${replay.port}/?`) && t.includes('X-Amz-Signature='),
        },
      ],
      answers: MYSQL8_ANSWERS,
      tls: { cert: ca.leaf('server').cert, key: ca.leaf('server').key },
    });
    writeFileSync(join(ca.dir, 'replay-key.pem'), replay.publicKeyPem);
    // The AWS SDK default chain: the environment provider comes first (no instance metadata here).
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    const base = `host = 127.0.0.1\nport = ${replay.port}\n`;
    cnf = writeMyCnf(
      `[client]\n${base}user = exporter\npassword = ${cnfString(PW)}\ntls = true\nssl-ca = ${ca.caPath}\n` +
        `[client.again]\n` +
        `[client.plain]\ntls = false\n` +
        `[client.pinned]\ntls = false\nserver-public-key-path = ${join(ca.dir, 'replay-key.pem')}\n` +
        `[client.fetch]\ntls = false\nget-server-public-key = true\n` +
        `[client.fast]\ntls = false\n` +
        `[client.iam]\nuser = iam_exporter\npassword =\naws-iam-auth = true\naws-region = eu-west-1\n`,
    );
    exp = await startExporter(cnf, [
      `--probe.allow=127.0.0.1:${replay.port}`,
      ...MYSQL8_COLLECTORS.map((c) => `--collect.${c}`),
    ]);
  });

  after(async () => {
    await exp?.stop();
    await replay?.close();
    if (cnf) cleanup(dirname(cnf));
    if (ca) cleanup(ca.dir);
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_EC2_METADATA_DISABLED'])
      if (savedEnv[k] === undefined) delete process.env[k];
      else process.env[k] = savedEnv[k];
  });

  test('default collectors over verified TLS: full authentication, version detection, SHOW REPLICA STATUS', async () => {
    const r = await exp.get('/metrics');
    assert.equal(r.status, 200);
    assert.equal(sampleValue(r.body, 'mysql_up'), 1);
    assert.equal(replay.authLog[0]?.path, 'full-tls', 'cold cache: full authentication over TLS');
    for (const c of [
      'global_status',
      'global_variables',
      'slave_status',
      'info_schema.innodb_cmp',
      'info_schema.innodb_cmpmem',
    ])
      assert.equal(exposedValue(r.body, SUCCESS, { collector: `collect.${c}` }), 1, c);
    const sql = replay.statements.map((s) => s.sql);
    assert.ok(sql.includes('SHOW REPLICA STATUS'));
    assert.ok(!sql.includes('SHOW SLAVE STATUS'), 'MySQL 8.4 gets the 8.0.22 statement only');
    const uptime = loadTsv('mysql-8.0.30/show-global-status.tsv').rows.find(
      (x) => x.Variable_name === 'Uptime',
    );
    assert.equal(sampleValue(r.body, 'mysql_global_status_uptime'), Number(uptime?.Value));
    const ch = { channel_name: 'master1', master_host: 'mysql-master1' };
    assert.equal(exposedValue(r.body, 'mysql_slave_status_seconds_behind_source', ch), 0);
    assert.equal(exposedValue(r.body, 'mysql_slave_status_seconds_behind_master', ch), 0);
    assert.equal(exposedValue(r.body, 'mysql_slave_status_slave_io_running', ch), 1);
    assert.ok(r.body.includes('mysql_version_info{'), 'version info exported');
  });

  test('fast authentication once the server caches the account (new pool, same server)', async () => {
    const from = replay.authLog.length;
    const r = await exp.get(`/probe?target=127.0.0.1:${replay.port}&auth_module=client.again`);
    assert.equal(sampleValue(r.body, 'mysql_up'), 1);
    assert.equal(replay.authLog[from]?.path, 'fast');
  });

  test('MySQL-8 collectors through /probe: performance_schema processlist, replication lag, group state', async () => {
    const collect = [
      'info_schema.processlist',
      'perf_schema.replication_lag',
      'perf_schema.replication_group_members',
      'slave_hosts',
    ]
      .map((c) => `collect[]=${c}`)
      .join('&');
    const r = await exp.get(`/probe?target=127.0.0.1:${replay.port}&${collect}`);
    assert.equal(r.status, 200);
    for (const c of [
      'info_schema.processlist',
      'perf_schema.replication_lag',
      'perf_schema.replication_group_members',
      'slave_hosts',
    ])
      assert.equal(exposedValue(r.body, SUCCESS, { collector: `collect.${c}` }), 1, c);
    const sql = replay.statements.map((s) => s.sql);
    assert.ok(sql.some((s) => s.includes('FROM performance_schema.processlist')));
    assert.ok(!sql.some((s) => s.includes('FROM information_schema.processlist')));
    assert.ok(sql.includes('SHOW REPLICAS'));
    // Processlist (Percona 8.0.32 capture, minus the capturing session): two idle msandbox sessions.
    assert.equal(
      exposedValue(r.body, 'mysql_info_schema_processlist_threads', { command: 'sleep', state: 'unknown' }),
      2,
    );
    assert.equal(
      exposedValue(r.body, 'mysql_info_schema_processlist_seconds', { command: 'sleep', state: 'unknown' }),
      2520,
    );
    assert.equal(
      exposedValue(r.body, 'mysql_info_schema_processlist_processes_by_user', { mysql_user: 'msandbox' }),
      3,
    );
    // Replication lag, worked out by hand from the fixture rows.
    const m1 = { channel_name: 'master1' };
    const m2 = { channel_name: 'master2' };
    assert.ok(near(exposedValue(r.body, 'mysql_perf_schema_replication_applier_lag_seconds', m1), 12.245488));
    assert.ok(
      near(exposedValue(r.body, 'mysql_perf_schema_replication_applier_queue_lag_seconds', m1), 13.180415),
    );
    assert.equal(exposedValue(r.body, 'mysql_perf_schema_replication_applier_queue_transactions', m1), 2);
    assert.ok(
      near(
        exposedValue(r.body, 'mysql_perf_schema_replication_last_applied_transaction_timestamp_seconds', m1),
        1764753598.301775,
      ),
    );
    assert.ok(
      near(
        exposedValue(r.body, 'mysql_perf_schema_replication_last_queued_transaction_timestamp_seconds', m1),
        1764753611.48219,
      ),
    );
    assert.equal(exposedValue(r.body, 'mysql_perf_schema_replication_applier_lag_seconds', m2), 0);
    assert.equal(exposedValue(r.body, 'mysql_perf_schema_replication_applier_queue_lag_seconds', m2), 0);
    assert.equal(exposedValue(r.body, 'mysql_perf_schema_replication_applier_queue_transactions', m2), 0);
    const state = (host: string) =>
      exposedValue(r.body, 'mysql_perf_schema_replication_group_member_state', { member_host: host });
    assert.deepEqual(
      [state('db-1.example.internal'), state('db-2.example.internal'), state('db-3.example.internal')],
      [1, 1, 2],
    );
  });

  test('full authentication without TLS: refused by default, RSA with a pinned key, RSA with get-server-public-key', async () => {
    replay.flushCache();
    let from = replay.authLog.length;
    const refused = await exp.get(`/probe?target=127.0.0.1:${replay.port}&auth_module=client.plain`);
    assert.equal(sampleValue(refused.body, 'mysql_up'), 0);
    assert.ok(
      !replay.authLog.slice(from).some((a) => a.path.startsWith('full') || a.path === 'public-key-sent'),
    );

    from = replay.authLog.length;
    const pinned = await exp.get(`/probe?target=127.0.0.1:${replay.port}&auth_module=client.pinned`);
    assert.equal(sampleValue(pinned.body, 'mysql_up'), 1);
    // The first connection of the new pool; later ones may already use the warmed cache.
    assert.equal(replay.authLog[from]?.path, 'full-rsa');

    replay.flushCache();
    from = replay.authLog.length;
    const fetched = await exp.get(`/probe?target=127.0.0.1:${replay.port}&auth_module=client.fetch`);
    assert.equal(sampleValue(fetched.body, 'mysql_up'), 1);
    assert.deepEqual(
      replay.authLog.slice(from, from + 2).map((a) => a.path),
      ['public-key-sent', 'full-rsa'],
    );
    // The start-up warning (main.ts logs every configuration warning).
    const loaded = await loadConfig([`--config.my-cnf=${cnf}`], { HOME: tmpdir() });
    assert.ok(loaded.kind === 'config');
    assert.ok(
      loaded.config.warnings.some((w) => w.message.includes('trusts the first RSA public key')),
      'get-server-public-key warns',
    );

    // With the account cached, the scramble alone succeeds without TLS (no password sent).
    from = replay.authLog.length;
    const fast = await exp.get(`/probe?target=127.0.0.1:${replay.port}&auth_module=client.fast`);
    assert.equal(sampleValue(fast.body, 'mysql_up'), 1);
    assert.ok(replay.authLog.slice(from).length > 0);
    assert.ok(replay.authLog.slice(from).every((a) => a.path === 'fast'));
  });

  test('RDS IAM: a signed token, over verified TLS, from the SDK default credential chain', async () => {
    const from = replay.cleartextReceived.length;
    const r = await exp.get(
      `/probe?target=127.0.0.1:${replay.port}&auth_module=client.iam&collect[]=global_status`,
    );
    assert.equal(sampleValue(r.body, 'mysql_up'), 1);
    const token = replay.cleartextReceived[from] ?? '';
    assert.match(token, /^127\.0\.0\.1:\d+\/\?Action=connect&DBUser=iam_exporter&/);
    assert.match(token, /X-Amz-Credential=AKIDEXAMPLE%2F\d{8}%2Feu-west-1%2Frds-db%2Faws4_request/);
    assert.match(token, /X-Amz-Expires=900/);
    assert.ok(replay.authLog.some((a) => a.user === 'iam_exporter' && a.path === 'cleartext-tls'));
    assert.ok(!exp.logs.some((l) => l.includes('X-Amz-Signature')), 'the token is never logged');
  });

  test('RDS IAM: no token leaves without verified TLS (TLS without verification, plain TCP)', async () => {
    for (const mode of ['skip-verify', 'off'] as const) {
      const from = replay.cleartextReceived.length;
      const t = new Target({
        address: { kind: 'tcp', host: '127.0.0.1', port: replay.port },
        credentials: { user: 'iam_exporter', password: Secret.of(''), tls: { mode } },
        auth: { awsIam: { region: 'eu-west-1' } },
        poolSize: 1,
        lockWaitTimeoutSeconds: 0,
        statementTimeoutMs: 0,
        connectTimeoutMs: 5000,
        log: createLogger({ level: 'error', format: 'logfmt', write: () => {} }),
      });
      try {
        await assert.rejects(t.serverInfo(AbortSignal.timeout(10_000)), /IAM auth token|verified TLS/);
      } finally {
        await t.close();
      }
      assert.equal(replay.cleartextReceived.length, from, `${mode}: nothing sent`);
    }
  });
});

describe('every MySQL-8-only statement the collectors send has a replay answer', () => {
  test('statements sent to 8.4 and not to 5.7, all collectors enabled, are all answered', async () => {
    const decl = (
      await loadQueryFiles([builtinQueriesDir()], {
        reservedCollectorNames: BUILTIN_COLLECTORS.map((d) => d.name),
      })
    ).collectors;
    const all = [...BUILTIN_COLLECTORS, ...decl].map((d) => `--collect.${d.name}`);
    const run = async (version: string) => {
      const r = await startMysql8Replay({
        version,
        accounts: [{ user: 'exporter', password: 'pw', plugin: 'caching_sha2_password' }],
        answers: MYSQL8_ANSWERS,
        warmCache: true,
      });
      const path = writeMyCnf(
        `[client]\nhost = 127.0.0.1\nport = ${r.port}\nuser = exporter\npassword = pw\n`,
      );
      const e = await startExporter(path, all);
      try {
        const res = await e.get('/metrics');
        assert.equal(sampleValue(res.body, 'mysql_up'), 1, version);
        return [...r.statements];
      } finally {
        await e.stop();
        await r.close();
        cleanup(dirname(path));
      }
    };
    const v57 = new Set((await run('5.7.44-log')).map((s) => s.sql));
    const v84 = await run('8.4.3');
    const only8 = v84.filter((s) => !v57.has(s.sql));
    // The list is computed, not written down: make sure it holds what we know is MySQL-8-only.
    for (const known of [
      'SHOW REPLICA STATUS',
      'SHOW REPLICAS',
      'performance_schema.processlist',
      'replication_connection_status',
      'INNODB_TABLESPACES',
      'QUANTILE_95',
    ])
      assert.ok(
        only8.some((s) => s.sql.includes(known)),
        `expected a MySQL-8-only statement with ${known}`,
      );
    const missing = only8.filter((s) => !s.answered).map((s) => s.sql);
    assert.deepEqual(missing, [], 'MySQL-8-only statements without a replay answer');
  });
});

describe('secrets from files and the Cloud SQL proxy opt-in, through the replay', () => {
  let replay: Mysql8Replay;
  let ca: TestCa;
  let exp: TestExporter | undefined;
  let cnf = '';

  before(async () => {
    ca = makeTestCa();
    replay = await startMysql8Replay({
      accounts: [
        { user: 'filepw', password: 'rotated-pw', plugin: 'caching_sha2_password' },
        { user: 'sa@proj.iam', plugin: 'mysql_clear_password', verify: (t) => t === 'oauth-token' },
      ],
      answers: MYSQL8_ANSWERS,
      tls: { cert: ca.leaf('server').cert, key: ca.leaf('server').key },
    });
  });

  after(async () => {
    await exp?.stop();
    await replay?.close();
    if (cnf) cleanup(dirname(cnf));
    if (ca) cleanup(ca.dir);
  });

  test('password-file: read at start, read again on reload (rotation without restart)', async () => {
    cnf = writeMyCnf(
      `[client]\nhost = 127.0.0.1\nport = ${replay.port}\nuser = filepw\npassword-file = pw\ntls = true\nssl-ca = ${ca.caPath}\n` +
        `[client.proxy]\nuser = sa@proj.iam\npassword = oauth-token\ntls = false\nenable-cleartext-plugin = true\ncloud-sql-proxy = true\n` +
        `[client.noproxy]\nuser = sa@proj.iam\npassword = oauth-token\ntls = false\nenable-cleartext-plugin = true\n`,
    );
    const pwFile = join(dirname(cnf), 'pw');
    writeFileSync(pwFile, 'old-pw\n', { mode: 0o600 });
    exp = await startExporter(cnf, [`--probe.allow=127.0.0.1:${replay.port}`]);
    assert.equal(sampleValue((await exp.get('/metrics')).body, 'mysql_up'), 0, 'the old password is refused');
    assert.ok(replay.authLog.some((a) => a.user === 'filepw' && a.path === 'denied'));
    writeFileSync(pwFile, 'rotated-pw\n');
    const r = await fetch(`${exp.url}/-/reload`, { method: 'POST' });
    assert.equal(r.status, 200);
    assert.equal(
      sampleValue((await exp.get('/metrics')).body, 'mysql_up'),
      1,
      'the rotated password is used',
    );
    assert.ok(replay.authLog.some((a) => a.user === 'filepw' && a.path === 'full-tls'));
    assert.ok(!exp.logs.some((l) => l.includes('rotated-pw') || l.includes('old-pw')), 'never logged');
  });

  test('cloud-sql-proxy: mysql_clear_password over loopback TCP only with the opt-in', async () => {
    assert.ok(exp);
    const before = replay.cleartextReceived.length;
    const refused = await exp.get(`/probe?target=127.0.0.1:${replay.port}&auth_module=client.noproxy`);
    assert.equal(sampleValue(refused.body, 'mysql_up'), 0);
    assert.equal(replay.cleartextReceived.length, before, 'nothing sent without the opt-in');
    const ok = await exp.get(`/probe?target=127.0.0.1:${replay.port}&auth_module=client.proxy`);
    assert.equal(sampleValue(ok.body, 'mysql_up'), 1);
    assert.equal(replay.cleartextReceived[before], 'oauth-token');
    assert.ok(replay.authLog.some((a) => a.user === 'sa@proj.iam' && a.path === 'cleartext-plain'));
  });
});
