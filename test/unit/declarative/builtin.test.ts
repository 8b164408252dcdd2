/**
 * Every shipped query file (queries/*.yaml, queries/examples/*.yaml) loads, and its output on
 * plausible rows passes validateFamilies. The built-ins keep mysqld_exporter's names, labels and types.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { builtinQueriesDir } from '../../../src/declarative/builtin-dir.js';
import { createQueryCollector } from '../../../src/declarative/collector.js';
import { loadQueryFiles } from '../../../src/declarative/loader.js';
import type { QuerySpec } from '../../../src/declarative/spec.js';
import type { ServerInfo } from '../../../src/model/server-info.js';
import type { Cell, QueryResult } from '../../../src/model/rows.js';
import type { MetricFamily } from '../../../src/model/metrics.js';
import { validateFamilies } from '../../../src/scrape/validate.js';
import {
  context,
  FakeDb,
  MARIADB_108,
  MARIADB_1011,
  MARIADB_114,
  MYSQL_57,
  MYSQL_80,
  MYSQL_84,
  PERCONA_80,
  result,
  server,
} from '../../helpers/fixtures.js';

const SERVERS: ReadonlyArray<readonly [string, () => ServerInfo]> = [
  ['mysql-5.7', MYSQL_57],
  ['mysql-8.0', MYSQL_80],
  ['mysql-8.4', MYSQL_84],
  ['percona-8.0', PERCONA_80],
  ['mariadb-10.8', MARIADB_108],
  ['mariadb-10.11', MARIADB_1011],
  ['mariadb-11.4', MARIADB_114],
];

/** Rows with every referenced column: distinct label values per row, numbers (or a mapped word) as values. */
function plausibleRows(spec: QuerySpec): QueryResult {
  const columns = new Set<string>();
  const mapped = new Map<string, string>();
  for (const m of spec.metrics) {
    for (const l of m.labels) columns.add(l.column);
    for (const v of m.values) {
      columns.add(v.column);
      const word = m.valueMap?.keys().next().value;
      if (word !== undefined) mapped.set(v.column, word);
    }
  }
  const labelColumns = new Set(spec.metrics.flatMap((m) => m.labels.map((l) => l.column)));
  const rowCount = spec.metrics.every((m) => m.labels.length > 0) ? 3 : 1;
  const cols = [...columns];
  const rows: Cell[][] = [];
  for (let i = 0; i < rowCount; i++) {
    rows.push(
      cols.map((c) => (labelColumns.has(c) ? `${c.toLowerCase()}-${i}` : (mapped.get(c) ?? `${1000 + i}`))),
    );
  }
  return result(cols, rows);
}

async function loadAll() {
  const dir = builtinQueriesDir();
  return {
    builtin: await loadQueryFiles([dir]),
    examples: await loadQueryFiles([join(dir, 'examples')]),
    both: await loadQueryFiles([dir, join(dir, 'examples')]),
  };
}

test('the built-in and example query files load together without problems', async () => {
  const { builtin, examples, both } = await loadAll();
  assert.deepEqual(builtin.specs.map((s) => s.name).sort(), [
    'info_schema.innodb_cmp',
    'info_schema.innodb_cmpmem',
    'info_schema.replica_host',
    'info_schema.schemastats',
    'info_schema.tablestats',
    'perf_schema.eventsstatementssum',
    'perf_schema.eventswaits',
    'perf_schema.file_events',
    'perf_schema.indexiowaits',
    'perf_schema.replication_applier_status_by_worker',
    'perf_schema.replication_group_member_stats',
    'perf_schema.tableiowaits',
    'perf_schema.tablelocks',
    'sys.user_summary',
  ]);
  assert.ok(examples.specs.length >= 5);
  assert.equal(both.specs.length, builtin.specs.length + examples.specs.length);
  assert.ok(
    builtin.files.every((f) => !f.includes('/examples/')),
    'examples are not loaded from queries/',
  );
});

test('only innodb_cmp and innodb_cmpmem are on by default', async () => {
  const { builtin } = await loadAll();
  assert.deepEqual(
    builtin.specs.filter((s) => s.enabledByDefault).map((s) => s.name),
    ['info_schema.innodb_cmp', 'info_schema.innodb_cmpmem'],
  );
});

test('every shipped file maps plausible rows into valid families on every server it supports', async () => {
  const { both } = await loadAll();
  for (const spec of both.specs) {
    for (const [label, server] of SERVERS) {
      const c = createQueryCollector(spec);
      if (!c.supports(server())) continue;
      const rows = plausibleRows(spec);
      const db = new FakeDb([[/./, rows]]);
      const families = await c.collect(context(db, server()));
      assert.equal(db.sent.length, 1, `${spec.name} on ${label}: one statement`);
      const data = families.filter((f) => !f.name.startsWith('mysql_exporter_'));
      assert.equal(data.length, spec.metrics.length, `${spec.name} on ${label}: every metric has samples`);
      validateFamilies(families, 10_000);
    }
  }
});

/** Label names and type of each family the built-ins export, as mysqld_exporter exports them. */
const EXPECTED: Readonly<Record<string, readonly [string, readonly string[]]>> = {
  mysql_info_schema_innodb_cmp_compress_ops_total: ['counter', ['page_size']],
  mysql_info_schema_innodb_cmp_compress_ops_ok_total: ['counter', ['page_size']],
  mysql_info_schema_innodb_cmp_compress_time_seconds_total: ['counter', ['page_size']],
  mysql_info_schema_innodb_cmp_uncompress_ops_total: ['counter', ['page_size']],
  mysql_info_schema_innodb_cmp_uncompress_time_seconds_total: ['counter', ['page_size']],
  mysql_info_schema_innodb_cmpmem_pages_used_total: ['counter', ['buffer_pool', 'page_size']],
  mysql_info_schema_innodb_cmpmem_pages_free_total: ['counter', ['buffer_pool', 'page_size']],
  mysql_info_schema_innodb_cmpmem_relocation_ops_total: ['counter', ['buffer_pool', 'page_size']],
  mysql_info_schema_innodb_cmpmem_relocation_time_seconds_total: ['counter', ['buffer_pool', 'page_size']],
  mysql_perf_schema_table_io_waits_total: ['counter', ['name', 'operation', 'schema']],
  mysql_perf_schema_table_io_waits_seconds_total: ['counter', ['name', 'operation', 'schema']],
  mysql_perf_schema_index_io_waits_total: ['counter', ['index', 'name', 'operation', 'schema']],
  mysql_perf_schema_index_io_waits_seconds_total: ['counter', ['index', 'name', 'operation', 'schema']],
  mysql_perf_schema_sql_lock_waits_total: ['counter', ['name', 'operation', 'schema']],
  mysql_perf_schema_sql_lock_waits_seconds_total: ['counter', ['name', 'operation', 'schema']],
  mysql_perf_schema_external_lock_waits_total: ['counter', ['name', 'operation', 'schema']],
  mysql_perf_schema_external_lock_waits_seconds_total: ['counter', ['name', 'operation', 'schema']],
  mysql_perf_schema_events_waits_total: ['counter', ['event_name']],
  mysql_perf_schema_events_waits_seconds_total: ['counter', ['event_name']],
  mysql_perf_schema_file_events_total: ['counter', ['event_name', 'mode']],
  mysql_perf_schema_file_events_seconds_total: ['counter', ['event_name', 'mode']],
  mysql_perf_schema_file_events_bytes_total: ['counter', ['event_name', 'mode']],
  mysql_perf_schema_transactions_in_queue: ['gauge', []],
  mysql_perf_schema_transactions_checked_total: ['counter', []],
  mysql_perf_schema_conflicts_detected_total: ['counter', []],
  mysql_perf_schema_transactions_rows_validating_total: ['counter', []],
  mysql_perf_schema_transactions_remote_in_applier_queue: ['gauge', []],
  mysql_perf_schema_transactions_remote_applied_total: ['counter', []],
  mysql_perf_schema_transactions_local_proposed_total: ['counter', []],
  mysql_perf_schema_transactions_local_rollback_total: ['counter', []],
  mysql_sys_statements_total: ['counter', ['user']],
  mysql_sys_statement_latency: ['counter', ['user']],
  mysql_sys_table_scans_total: ['counter', ['user']],
  mysql_sys_file_ios_total: ['counter', ['user']],
  mysql_sys_file_io_seconds_total: ['counter', ['user']],
  mysql_sys_current_connections: ['gauge', ['user']],
  mysql_sys_connections_total: ['counter', ['user']],
  mysql_sys_unique_hosts_total: ['counter', ['user']],
  mysql_sys_current_memory_bytes: ['gauge', ['user']],
  mysql_sys_memory_allocated_bytes_total: ['counter', ['user']],
  mysql_info_schema_table_statistics_rows_read_total: ['counter', ['schema', 'table']],
  mysql_info_schema_table_statistics_rows_changed_total: ['counter', ['schema', 'table']],
  mysql_info_schema_table_statistics_rows_changed_x_indexes_total: ['counter', ['schema', 'table']],
  mysql_info_schema_schema_statistics_rows_read_total: ['counter', ['schema']],
  mysql_info_schema_schema_statistics_rows_changed_total: ['counter', ['schema']],
  mysql_info_schema_schema_statistics_rows_changed_x_indexes_total: ['counter', ['schema']],
  mysql_info_schema_replica_host_cpu_percent: ['gauge', ['role', 'server_id']],
  mysql_info_schema_replica_host_replica_latency_seconds: ['gauge', ['role', 'server_id']],
  mysql_info_schema_replica_host_lag_seconds: ['gauge', ['role', 'server_id']],
  mysql_info_schema_replica_host_log_stream_speed: ['gauge', ['role', 'server_id']],
  mysql_info_schema_replica_host_replay_latency_seconds: ['gauge', ['role', 'server_id']],
};

const APPLIER = [
  'last_applied_transaction_original_commit',
  'last_applied_transaction_immediate_commit',
  'last_applied_transaction_start_apply',
  'last_applied_transaction_end_apply',
  'applying_transaction_original_commit',
  'applying_transaction_immediate_commit',
  'applying_transaction_start_apply',
];
const SUM = [
  'total',
  'created_tmp_disk_tables',
  'created_tmp_tables',
  'errors',
  'lock_time',
  'no_good_index_used',
  'no_index_used',
  'rows_affected',
  'rows_examined',
  'rows_sent',
  'select_full_join',
  'select_full_range_join',
  'select_range',
  'select_range_check',
  'select_scan',
  'sort_merge_passes',
  'sort_range',
  'sort_rows',
  'sort_scan',
  'timer_wait',
  'warnings',
];

test("built-in families have mysqld_exporter's names, types and label names", async () => {
  const { builtin } = await loadAll();
  const expected = new Map<string, readonly [string, readonly string[]]>(Object.entries(EXPECTED));
  for (const a of APPLIER)
    expected.set(`mysql_perf_schema_${a}_timestamp_seconds`, ['gauge', ['channel_name', 'member_id']]);
  for (const s of SUM) expected.set(`mysql_perf_schema_events_statements_sum_${s}`, ['counter', []]);
  const actual = new Map<string, readonly [string, readonly string[]]>();
  for (const spec of builtin.specs) {
    for (const m of spec.metrics) {
      const labels = [...m.labels.map((l) => l.label), ...Object.keys(m.staticLabels)];
      if (m.valueLabel) labels.push(m.valueLabel);
      actual.set(m.name, [m.type, labels.sort()]);
    }
  }
  assert.deepEqual(new Map([...actual].sort()), new Map([...expected].sort()));
});

test('value labels take the values mysqld_exporter uses', async () => {
  const { builtin } = await loadAll();
  const ops = (metric: string) =>
    builtin.specs
      .flatMap((s) => s.metrics)
      .find((m) => m.name === metric)
      ?.values.map((v) => v.labelValue);
  assert.deepEqual(ops('mysql_perf_schema_table_io_waits_total'), ['fetch', 'insert', 'update', 'delete']);
  assert.deepEqual(ops('mysql_perf_schema_sql_lock_waits_total'), [
    'read_normal',
    'read_with_shared_locks',
    'read_high_priority',
    'read_no_insert',
    'write_normal',
    'write_allow_write',
    'write_concurrent_insert',
    'write_low_priority',
  ]);
  assert.deepEqual(ops('mysql_perf_schema_external_lock_waits_total'), ['read', 'write']);
  assert.deepEqual(ops('mysql_perf_schema_file_events_total'), ['read', 'write', 'misc']);
  assert.deepEqual(ops('mysql_perf_schema_file_events_bytes_total'), ['read', 'write']);
});

test('supports: per-flavor ranges (MariaDB is not "newer than MySQL 8.0")', async () => {
  const { builtin } = await loadAll();
  const on = (name: string) => {
    const spec = builtin.specs.find((s) => s.name === name);
    assert.ok(spec, name);
    const c = createQueryCollector(spec);
    return SERVERS.filter(([, s]) => c.supports(s())).map(([l]) => l);
  };
  const all = SERVERS.map(([l]) => l);
  assert.deepEqual(on('info_schema.innodb_cmp'), all);
  assert.deepEqual(on('perf_schema.replication_applier_status_by_worker'), [
    'mysql-8.0',
    'mysql-8.4',
    'percona-8.0',
  ]);
  assert.deepEqual(on('perf_schema.replication_group_member_stats'), [
    'mysql-5.7',
    'mysql-8.0',
    'mysql-8.4',
    'percona-8.0',
  ]);
  assert.deepEqual(on('info_schema.tablestats'), [
    'percona-8.0',
    'mariadb-10.8',
    'mariadb-10.11',
    'mariadb-11.4',
  ]);
  assert.deepEqual(on('sys.user_summary'), all);
  const userSummary = builtin.specs.find((s) => s.name === 'sys.user_summary')!;
  assert.equal(
    createQueryCollector(userSummary).supports(server('10.5.9-MariaDB')),
    false,
    'sys schema from 10.6',
  );
  assert.deepEqual(on('info_schema.replica_host'), ['mysql-5.7', 'mysql-8.0', 'mysql-8.4', 'percona-8.0']);
});

test('the MySQL 5.7 group replication variant selects NULL for 8.0-only columns, which are skipped', async () => {
  const { builtin } = await loadAll();
  const spec = builtin.specs.find((s) => s.name === 'perf_schema.replication_group_member_stats')!;
  const db = new FakeDb([
    [
      /NULL AS COUNT_TRANSACTIONS_REMOTE_IN_APPLIER_QUEUE/,
      result(spec.sql[1]!.columns!, [[3, 10, 1, 7, null, null, null, null]]),
    ],
  ]);
  const fs: MetricFamily[] = await createQueryCollector(spec, { selfMetrics: false }).collect(
    context(db, MYSQL_57()),
  );
  assert.deepEqual(
    fs.map((f) => [f.name, f.samples[0]?.value]),
    [
      ['mysql_perf_schema_transactions_in_queue', 3],
      ['mysql_perf_schema_transactions_checked_total', 10],
      ['mysql_perf_schema_conflicts_detected_total', 1],
      ['mysql_perf_schema_transactions_rows_validating_total', 7],
    ],
  );
});
