/**
 * perf_schema.eventsstatements, file_instances, memory_events, engine_innodb_status,
 * engine_tokudb_status, heartbeat, slave_hosts, replication_group_members and rocksdb_perf_context
 * against a real MariaDB 10.11 (performance_schema ON, binary log on) with a real replica attached,
 * through a real Target and the orchestrator.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CollectorDef } from '../../src/model/collector.js';
import { engineInnodbStatus } from '../../src/collectors/engine-innodb-status.js';
import { engineTokudbStatus } from '../../src/collectors/engine-tokudb-status.js';
import { heartbeat } from '../../src/collectors/heartbeat.js';
import { infoSchemaRocksdbPerfContext } from '../../src/collectors/info-schema-rocksdb-perf-context.js';
import { perfSchemaEventsStatements } from '../../src/collectors/perf-schema-events-statements.js';
import { perfSchemaFileInstances } from '../../src/collectors/perf-schema-file-instances.js';
import { perfSchemaMemoryEvents } from '../../src/collectors/perf-schema-memory-events.js';
import { perfSchemaReplicationGroupMembers } from '../../src/collectors/perf-schema-replication-group-members.js';
import { slaveHosts } from '../../src/collectors/slave-hosts.js';
import { Target } from '../../src/db/target.js';
import { silentLogger } from '../../src/log/logger.js';
import type { CollectorOutcome } from '../../src/scrape/result.js';
import { scrape } from '../../src/scrape/orchestrator.js';
import type { MetricFamily, Sample } from '../../src/model/metrics.js';
import { validateFamilies } from '../../src/scrape/validate.js';
import { ADMIN_PASSWORD, ADMIN_USER, type MariaDb, sqlString, startMariaDb } from '../helpers/mariadb.js';
import { buildCollector } from '../helpers/collector-under-test.js';
import { requireFamily } from '../helpers/samples.js';
import { Secret } from '../../src/model/secret.js';

let primary: MariaDb;
let replica: MariaDb;
let target: Target;

const HOSTILE_DB = 'hb`x\'y "z?';
const HOSTILE_TABLE = 'beat`?\ttäble;--';

before(async () => {
  primary = await startMariaDb({ args: ['--log-bin', '--server-id=1'] });
  await primary.sql(
    'CREATE DATABASE exporter_b',
    'CREATE TABLE exporter_b.t (id INT PRIMARY KEY, v VARCHAR(20))',
    "INSERT INTO exporter_b.t VALUES (1, 'a'), (2, 'b'), (3, 'c')",
    'CREATE DATABASE heartbeat',
    // pt-heartbeat's table.
    'CREATE TABLE heartbeat.heartbeat (ts VARCHAR(26) NOT NULL, server_id INT UNSIGNED NOT NULL PRIMARY KEY,' +
      ' file VARCHAR(255) DEFAULT NULL, position BIGINT UNSIGNED DEFAULT NULL,' +
      ' relay_master_log_file VARCHAR(255) DEFAULT NULL, exec_master_log_pos BIGINT UNSIGNED DEFAULT NULL)',
    "INSERT INTO heartbeat.heartbeat (ts, server_id) VALUES ('2024-05-01T12:00:00.250000', 1), ('2024-05-01T11:59:58.000000', 7)",
    `CREATE DATABASE \`${HOSTILE_DB.replace(/`/g, '``')}\``,
    `CREATE TABLE \`${HOSTILE_DB.replace(/`/g, '``')}\`.\`${HOSTILE_TABLE.replace(/`/g, '``')}\` (ts VARCHAR(26) NOT NULL, server_id INT UNSIGNED NOT NULL PRIMARY KEY)`,
    `INSERT INTO \`${HOSTILE_DB.replace(/`/g, '``')}\`.\`${HOSTILE_TABLE.replace(/`/g, '``')}\` VALUES ('2024-05-01T12:00:01.500000', 42)`,
    // Statements with a default schema, so their digests carry SCHEMA_NAME exporter_b.
    'USE exporter_b',
    'SELECT COUNT(*) FROM t WHERE id > 1',
    'SELECT COUNT(*) FROM t WHERE id > 2',
    'SELECT COUNT(*) FROM t WHERE id > 0',
    'SELECT v FROM t WHERE id = 1',
  );
  replica = await startMariaDb({ args: ['--server-id=2', '--report-host=replica-b', '--report-port=3399'] });
  await replica.sql(
    `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${primary.port}, MASTER_USER=${sqlString(ADMIN_USER)},` +
      ` MASTER_PASSWORD=${sqlString(ADMIN_PASSWORD)}, MASTER_USE_GTID=no`,
    'START SLAVE IO_THREAD',
  );
  const deadline = Date.now() + 30_000;
  while ((await primary.sql('SHOW SLAVE HOSTS')).length === 0) {
    if (Date.now() > deadline) throw new Error(`replica never registered:\n${replica.errorLog.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  target = new Target({
    address: { kind: 'tcp', host: '127.0.0.1', port: primary.port },
    credentials: { user: ADMIN_USER, password: Secret.of(ADMIN_PASSWORD), tls: { mode: 'off' } },
    poolSize: 2,
    lockWaitTimeoutSeconds: 2,
    statementTimeoutMs: 10_000,
    connectTimeoutMs: 5_000,
    log: silentLogger(),
  });
});

after(async () => {
  await target?.close();
  await replica?.destroy();
  await primary?.destroy();
});

interface Run {
  readonly outcome: CollectorOutcome | undefined;
  readonly sent: string[];
}

/** One scrape with one collector through the real Target; records the statements it sent. */
async function runOne(def: CollectorDef, argv: readonly string[] = []): Promise<Run> {
  const collector = buildCollector(def, argv);
  const sent: string[] = [];
  const res = await scrape({
    target: {
      key: target.key,
      serverInfo: (signal) => target.serverInfo(signal),
      db: (signal) => {
        const db = target.db(signal);
        return {
          query: (sql, params, opts) => {
            sent.push(sql);
            return db.query(sql, params, opts);
          },
        };
      },
    },
    collectors: [collector],
    signal: AbortSignal.timeout(20_000),
    concurrency: 1,
    maxSeries: 100_000,
    log: silentLogger(),
  });
  assert.equal(res.up, true);
  return { outcome: res.outcomes[0], sent };
}

function ok(r: Run): readonly MetricFamily[] {
  assert.ok(r.outcome, 'collector was skipped');
  assert.equal(r.outcome.success, true, r.outcome.error);
  validateFamilies(r.outcome.families, 100_000);
  return r.outcome.families;
}

function find(f: MetricFamily, pred: (s: Sample) => boolean): Sample {
  const s = f.samples.find(pred);
  assert.ok(s, `no matching sample in ${f.name}`);
  return s;
}

test('perf_schema.eventsstatements: real digests of exporter_b, 29-column MariaDB table', async () => {
  const cols = await primary.sql(
    "SELECT COLUMN_NAME AS c FROM information_schema.columns WHERE table_schema='performance_schema'" +
      " AND table_name='events_statements_summary_by_digest'",
  );
  const names = cols.map((r) => String(r.c));
  assert.equal(names.length, 29);
  assert.ok(!names.includes('SUM_CPU_TIME') && !names.includes('QUANTILE_95'));

  const fams = ok(await runOne(perfSchemaEventsStatements));
  const total = requireFamily(fams, 'mysql_perf_schema_events_statements_total');
  const s = find(
    total,
    (x) =>
      x.labels.schema === 'exporter_b' &&
      /COUNT/.test(x.labels.digest_text ?? '') &&
      /`t`/.test(x.labels.digest_text ?? ''),
  );
  assert.equal(s.value, 3);
  const seconds = requireFamily(fams, 'mysql_perf_schema_events_statements_seconds_total');
  assert.ok(find(seconds, (x) => x.labels.digest === s.labels.digest).value > 0);
  const rowsSent = requireFamily(fams, 'mysql_perf_schema_events_statements_rows_sent_total');
  assert.equal(find(rowsSent, (x) => x.labels.digest === s.labels.digest).value, 3);
  const latency = requireFamily(fams, 'mysql_perf_schema_events_statements_latency');
  assert.equal(find(latency, (x) => x.labels.digest === s.labels.digest && x.suffix === '_count').value, 3);
  assert.ok(!latency.samples.some((x) => x.labels.quantile !== undefined));
  assert.ok(!fams.some((f) => f.name.includes('cpu_time')));
  for (const f of fams)
    assert.ok(
      !f.samples.some((x) =>
        ['mysql', 'performance_schema', 'information_schema'].includes(x.labels.schema ?? ''),
      ),
    );

  const excluded = ok(
    await runOne(perfSchemaEventsStatements, [
      '--collect.perf_schema.eventsstatements.exclude_schemas=exporter_b',
    ]),
  );
  assert.ok(!excluded.some((f) => f.samples.some((x) => x.labels.schema === 'exporter_b')));
  const short = ok(
    await runOne(perfSchemaEventsStatements, ['--collect.perf_schema.eventsstatements.digest_text_limit=6']),
  );
  assert.ok(
    requireFamily(short, 'mysql_perf_schema_events_statements_total').samples.every(
      (x) => (x.labels.digest_text ?? '').length <= 6,
    ),
  );

  // 13 counters + _sum + _count = 15 series per digest: room for one digest, and exporter_b has two.
  const capped = await runOne(perfSchemaEventsStatements, [
    '--collect.perf_schema.eventsstatements.max_series=15',
  ]);
  assert.equal(capped.outcome?.success, false);
  assert.match(capped.outcome?.error ?? '', /max_series/);
});

test('perf_schema.file_instances: real files, datadir prefix removed, filter applied on the server', async () => {
  const datadir = `${join(primary.dir, 'data')}/`;
  const fams = ok(
    await runOne(perfSchemaFileInstances, [`--collect.perf_schema.file_instances.remove_prefix=${datadir}`]),
  );
  const total = requireFamily(fams, 'mysql_perf_schema_file_instances_total');
  const bytes = requireFamily(fams, 'mysql_perf_schema_file_instances_bytes');
  const ib = (x: Sample) =>
    x.labels.file_name === 'ibdata1' && x.labels.event_name === 'wait/io/file/innodb/innodb_data_file';
  assert.ok(find(total, (x) => ib(x) && x.labels.mode === 'read').value > 0);
  assert.ok(find(bytes, (x) => ib(x) && x.labels.mode === 'read').value > 0);
  assert.ok(!total.samples.some((x) => x.labels.file_name?.startsWith(datadir)));

  const filtered = ok(
    await runOne(perfSchemaFileInstances, ['--collect.perf_schema.file_instances.filter=ibdata1$']),
  );
  const names = new Set(
    requireFamily(filtered, 'mysql_perf_schema_file_instances_total').samples.map((x) => x.labels.file_name),
  );
  assert.deepEqual([...names], [`${datadir}ibdata1`]);
});

test('perf_schema.memory_events: MariaDB 10.11 has memory instrumentation', async () => {
  const fams = ok(await runOne(perfSchemaMemoryEvents));
  const alloc = requireFamily(fams, 'mysql_perf_schema_memory_events_alloc_bytes_total');
  assert.ok(find(alloc, (x) => x.labels.event_name === 'performance_schema/mutex_instances').value > 0);
  assert.ok(!alloc.samples.some((x) => x.labels.event_name?.startsWith('memory/')));
  requireFamily(fams, 'mysql_perf_schema_memory_events_used_bytes');
});

test('engine_innodb_status: read views gauge from the live text', async () => {
  const r = await runOne(engineInnodbStatus);
  const fams = ok(r);
  assert.deepEqual(r.sent, ['SHOW ENGINE INNODB STATUS']);
  const views = requireFamily(fams, 'mysql_engine_innodb_read_views_open_inside_innodb');
  assert.ok(views.samples[0]!.value >= 0);
});

test('heartbeat: pt-heartbeat table, local and UTC time, hostile identifiers via flags', async () => {
  const [expected] = await primary.sql(
    "SELECT UNIX_TIMESTAMP('2024-05-01T12:00:00.250000') AS a, UNIX_TIMESTAMP('2024-05-01T11:59:58.000000') AS b," +
      " UNIX_TIMESTAMP('2024-05-01T12:00:01.500000') AS c, UNIX_TIMESTAMP(UTC_TIMESTAMP(6)) AS utc",
  );
  const fams = ok(await runOne(heartbeat));
  const stored = requireFamily(fams, 'mysql_heartbeat_stored_timestamp_seconds');
  assert.equal(find(stored, (x) => x.labels.server_id === '1').value, Number(expected!.a));
  assert.equal(find(stored, (x) => x.labels.server_id === '7').value, Number(expected!.b));
  const now = find(
    requireFamily(fams, 'mysql_heartbeat_now_timestamp_seconds'),
    (x) => x.labels.server_id === '1',
  ).value;
  assert.ok(Math.abs(now - Date.now() / 1000) < 120, `now ${now}`);

  const utc = ok(await runOne(heartbeat, ['--collect.heartbeat.utc']));
  const utcNow = find(
    requireFamily(utc, 'mysql_heartbeat_now_timestamp_seconds'),
    (x) => x.labels.server_id === '1',
  ).value;
  assert.ok(Math.abs(utcNow - Number(expected!.utc)) < 60);

  const hostile = ok(
    await runOne(heartbeat, [
      `--collect.heartbeat.database=${HOSTILE_DB}`,
      `--collect.heartbeat.table=${HOSTILE_TABLE}`,
    ]),
  );
  const hs = requireFamily(hostile, 'mysql_heartbeat_stored_timestamp_seconds');
  assert.deepEqual(hs.samples, [{ labels: { server_id: '42' }, value: Number(expected!.c) }]);

  const missing = await runOne(heartbeat, ['--collect.heartbeat.table=no_such_table']);
  assert.equal(missing.outcome?.success, false);
  assert.equal(missing.sent.length, 1);
});

test('slave_hosts: SHOW SLAVE HOSTS on a primary with a registered replica', async () => {
  const r = await runOne(slaveHosts);
  assert.deepEqual(r.sent, ['SHOW SLAVE HOSTS']);
  const info = requireFamily(ok(r), 'mysql_heartbeat_mysql_slave_hosts_info');
  assert.deepEqual(info.samples, [
    {
      labels: { server_id: '2', slave_host: 'replica-b', port: '3399', master_id: '1', slave_uuid: '' },
      value: 1,
    },
  ]);
});

test('collectors MariaDB cannot serve: skipped by flavor/version with no statement, or one clear failure', async () => {
  for (const def of [engineTokudbStatus, perfSchemaReplicationGroupMembers]) {
    const r = await runOne(def);
    assert.equal(r.outcome, undefined, def.name);
    assert.deepEqual(r.sent, []);
  }
  // MyRocks is a loadable plugin on MariaDB 10.2+, not loaded here: one statement, one-line reason.
  const r = await runOne(infoSchemaRocksdbPerfContext);
  assert.equal(r.outcome?.success, false);
  assert.match(r.outcome?.error ?? '', /^MyRocks is not loaded on this server/);
  assert.equal(r.sent.length, 1);
});

test('perf_schema.eventsstatements after TRUNCATE of the digest table: success, no series', async () => {
  await primary.sql('TRUNCATE TABLE performance_schema.events_statements_summary_by_digest');
  const r = await runOne(perfSchemaEventsStatements, [
    '--collect.perf_schema.eventsstatements.exclude_schemas=exporter_b',
  ]);
  assert.equal(r.outcome?.success, true, r.outcome?.error);
  assert.deepEqual(r.outcome?.families, []);
});
