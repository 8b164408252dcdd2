/**
 * The four default hand-written collectors against real MariaDB servers (the installed 10.11), through a
 * real Target and the least-privilege exporter account: a primary with the query_response_time plugin
 * loaded and a GTID replica of it. Fails (never skips) when a server cannot start.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CollectorDef } from '../../src/model/collector.js';
import { globalStatusCollector } from '../../src/collectors/global-status.js';
import { globalVariablesCollector } from '../../src/collectors/global-variables.js';
import { queryResponseTimeCollector } from '../../src/collectors/query-response-time.js';
import { slaveStatusCollector } from '../../src/collectors/slave-status.js';
import { Target } from '../../src/db/target.js';
import { silentLogger } from '../../src/log/logger.js';
import { scrape } from '../../src/scrape/orchestrator.js';
import type { MetricFamily } from '../../src/model/metrics.js';
import { validateFamilies } from '../../src/scrape/validate.js';
import {
  createExporterUser,
  type MariaDb,
  type ReplicationPair,
  startReplicationPair,
} from '../helpers/mariadb.js';
import { findFamily, familyValue } from '../helpers/samples.js';
import { QRT_RANGE_BASE_10_LES } from '../helpers/fixtures.js';
import { Secret } from '../../src/model/secret.js';

const EXPORTER_USER = 'exporter';
const EXPORTER_PASSWORD = 'exp-pw';
const DEFAULTS: readonly CollectorDef[] = [
  globalStatusCollector,
  globalVariablesCollector,
  slaveStatusCollector,
  queryResponseTimeCollector,
];

let pair: ReplicationPair;
let primary: Target;
let replica: Target;

function target(db: MariaDb): Target {
  return new Target({
    address: { kind: 'tcp', host: '127.0.0.1', port: db.port },
    credentials: { user: EXPORTER_USER, password: Secret.of(EXPORTER_PASSWORD), tls: { mode: 'off' } },
    poolSize: 2,
    lockWaitTimeoutSeconds: 2,
    statementTimeoutMs: 10_000,
    connectTimeoutMs: 5_000,
    log: silentLogger(),
  });
}

async function collect(def: CollectorDef, t: Target): Promise<MetricFamily[]> {
  const signal = AbortSignal.timeout(15_000);
  const server = await t.serverInfo(signal);
  const collector = def.create(new Map());
  assert.equal(collector.supports(server), true, `${def.name} supports ${server.versionString}`);
  const families = await collector.collect({
    db: t.db(signal),
    server,
    signal,
    log: silentLogger(),
    targetKey: t.key,
  });
  validateFamilies(families, 100_000);
  return families;
}

before(async () => {
  pair = await startReplicationPair({
    primary: { args: ['--plugin-load-add=query_response_time', '--query-response-time-stats=ON'] },
  });
  // Created on the primary and replicated: proves the replica applies events, and gives both servers
  // the same least-privilege account (PROCESS, REPLICATION CLIENT, SLAVE MONITOR, SELECT).
  await createExporterUser(pair.primary, EXPORTER_USER, EXPORTER_PASSWORD);
  await pair.primary.sql(
    'CREATE DATABASE app',
    'CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB',
    "INSERT INTO app.t VALUES (1, 'a'), (2, 'b'), (3, 'c')",
    'SELECT COUNT(*) FROM app.t',
  );
  await pair.catchUp();
  primary = target(pair.primary);
  replica = target(pair.replica);
});

after(async () => {
  await primary?.close();
  await replica?.close();
  await pair?.destroy();
});

describe('global_status (real MariaDB)', () => {
  test('grouped and generic families with live values', async () => {
    const families = await collect(globalStatusCollector, primary);
    assert.ok(families.length > 50, `${families.length} families`);
    // The server may be younger than a second here: compare with its own Uptime read right after.
    const uptime = familyValue(families, 'mysql_global_status_uptime');
    const serverUptime = Number((await pair.primary.sql("SHOW GLOBAL STATUS LIKE 'Uptime'"))[0]?.Value);
    assert.ok(
      uptime !== undefined && uptime <= serverUptime && uptime >= serverUptime - 1,
      `${uptime} vs ${serverUptime}`,
    );
    assert.ok((familyValue(families, 'mysql_global_status_commands_total', { command: 'insert' }) ?? 0) >= 1);
    assert.ok((familyValue(families, 'mysql_global_status_commands_total', { command: 'select' }) ?? 0) >= 1);
    assert.ok((familyValue(families, 'mysql_global_status_buffer_pool_pages', { state: 'data' }) ?? 0) > 0);
    assert.notEqual(familyValue(families, 'mysql_global_status_buffer_pool_dirty_pages'), undefined);
    assert.ok((familyValue(families, 'mysql_global_status_threads_connected') ?? 0) >= 1);
    assert.equal(findFamily(families, 'mysql_galera_status_info'), undefined); // not a Galera node
  });
});

describe('global_variables (real MariaDB)', () => {
  test('gauges, version info and transaction isolation match the server', async () => {
    const families = await collect(globalVariablesCollector, primary);
    // The server's own answer (MariaDB 10.10+ has no innodb_version: the label is then empty).
    const rows = await pair.primary.sql(
      "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('version', 'version_comment', 'innodb_version', 'tx_isolation')",
    );
    const v = new Map(rows.map((r) => [String(r.Variable_name), String(r.Value)]));
    assert.deepEqual(findFamily(families, 'mysql_version_info')?.samples, [
      {
        labels: {
          innodb_version: v.get('innodb_version') ?? '',
          version: v.get('version') ?? '',
          version_comment: v.get('version_comment') ?? '',
        },
        value: 1,
      },
    ]);
    assert.match(v.get('version') ?? '', /MariaDB/);
    assert.equal(
      familyValue(families, 'mysql_transaction_isolation', { level: v.get('tx_isolation') ?? '' }),
      1,
    );
    assert.equal(familyValue(families, 'mysql_global_variables_max_connections'), 200); // the harness sets it
    assert.equal(familyValue(families, 'mysql_global_variables_log_bin'), 1);
    assert.equal(familyValue(families, 'mysql_global_variables_server_id'), 1);
    assert.equal(familyValue(families, 'mysql_global_variables_query_response_time_stats'), 1);
    const replicaVars = await collect(globalVariablesCollector, replica);
    assert.equal(familyValue(replicaVars, 'mysql_global_variables_server_id'), 2);
  });
});

describe('slave_status (real MariaDB replication)', () => {
  test('the primary is not a replica: no metrics, no error', async () => {
    assert.deepEqual(await collect(slaveStatusCollector, primary), []);
  });

  test('the replica: threads running, lag present, labels, GTID position', async () => {
    const families = await collect(slaveStatusCollector, replica);
    const labels = { master_host: '127.0.0.1', master_uuid: '', channel_name: '', connection_name: '' };
    assert.equal(familyValue(families, 'mysql_slave_status_slave_io_running', labels), 1);
    assert.equal(familyValue(families, 'mysql_slave_status_slave_sql_running', labels), 1);
    const lag = familyValue(families, 'mysql_slave_status_seconds_behind_master', labels);
    assert.ok(lag !== undefined && lag >= 0, `seconds_behind_master = ${lag}`);
    assert.equal(familyValue(families, 'mysql_slave_status_sql_delay', labels), 0);
    assert.equal(familyValue(families, 'mysql_slave_status_master_port', labels), pair.primary.port);
    assert.equal(familyValue(families, 'mysql_slave_status_master_server_id', labels), 1);
    assert.equal(findFamily(families, 'mysql_slave_status_slave_io_running')?.type, 'untyped');
    // Gtid_IO_Pos is `0-1-<seq>` (domain 0, primary server_id 1): compare with the server's own answer.
    const [status] = await pair.replica.sql('SHOW ALL SLAVES STATUS');
    const seq = Number(String(status?.Gtid_IO_Pos).split('-')[2]);
    assert.ok(seq >= 1, `Gtid_IO_Pos ${String(status?.Gtid_IO_Pos)}`);
    assert.equal(
      familyValue(families, 'mysql_slave_status_gtid_io_pos', { ...labels, domain_id: '0', server_id: '1' }),
      seq,
    );
    assert.equal(findFamily(families, 'mysql_slave_status_gtid_io_pos')?.type, 'gauge');
  });
});

describe('info_schema.query_response_time (real MariaDB plugin)', () => {
  test('histogram with the +Inf bucket equal to _count; _READ/_WRITE exactly when the server has them', async () => {
    for (let i = 0; i < 20; i++) await pair.primary.sql('SELECT 1', 'SELECT SLEEP(0.001)');
    const families = await collect(queryResponseTimeCollector, primary);
    const f = findFamily(families, 'mysql_info_schema_query_response_time_seconds');
    assert.equal(f?.type, 'histogram');
    const buckets = f?.samples.filter((s) => s.suffix === '_bucket') ?? [];
    const inf = buckets.find((s) => s.labels.le === '+Inf')?.value;
    const count = f?.samples.find((s) => s.suffix === '_count')?.value;
    assert.ok(count !== undefined && count >= 40, `_count ${count}`);
    assert.equal(inf, count);
    assert.ok((f?.samples.find((s) => s.suffix === '_sum')?.value ?? 0) > 0);
    // Cumulative: never decreasing, and the plugin's default range_base=10 buckets.
    for (let i = 1; i < buckets.length; i++)
      assert.ok((buckets[i]?.value ?? 0) >= (buckets[i - 1]?.value ?? 0));
    assert.deepEqual(
      buckets.map((s) => s.labels.le),
      [...QRT_RANGE_BASE_10_LES, '+Inf'],
    );
    const tables = await pair.primary.sql(
      "SELECT PLUGIN_NAME AS n FROM information_schema.PLUGINS WHERE PLUGIN_NAME LIKE 'QUERY\\_RESPONSE\\_TIME\\_%' AND PLUGIN_STATUS = 'ACTIVE'",
    );
    const names = new Set(tables.map((r) => String(r.n)));
    assert.equal(
      findFamily(families, 'mysql_info_schema_read_query_response_time_seconds') !== undefined,
      names.has('QUERY_RESPONSE_TIME_READ'),
    );
    assert.equal(
      findFamily(families, 'mysql_info_schema_write_query_response_time_seconds') !== undefined,
      names.has('QUERY_RESPONSE_TIME_WRITE'),
    );
  });

  test('without the plugin (the replica) no plugin is active and nothing is emitted', async () => {
    assert.deepEqual(await collect(queryResponseTimeCollector, replica), []);
  });
});

test('a whole scrape of the four default collectors succeeds on both servers', async (t) => {
  for (const [name, tgt] of [
    ['primary', primary],
    ['replica', replica],
  ] as const) {
    const started = process.hrtime.bigint();
    const res = await scrape({
      target: tgt,
      collectors: DEFAULTS.map((d) => d.create(new Map())),
      signal: AbortSignal.timeout(15_000),
      concurrency: 2,
      maxSeries: 100_000,
      log: silentLogger(),
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.equal(res.up, true);
    assert.deepEqual(
      res.outcomes.map((o) => [o.name, o.success, o.error]),
      DEFAULTS.map((d) => [d.name, true, undefined]),
    );
    const series = res.outcomes.reduce((n, o) => n + o.families.reduce((m, f) => m + f.samples.length, 0), 0);
    t.diagnostic(
      `${name}: ${series} series in ${ms.toFixed(1)} ms; ` +
        res.outcomes.map((o) => `${o.name} ${(o.durationSeconds * 1000).toFixed(1)} ms`).join(', '),
    );
  }
});
