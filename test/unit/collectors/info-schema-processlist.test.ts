import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  infoSchemaProcesslist,
  PERF_SCHEMA_PROCESSLIST_SQL,
  PROCESSLIST_SQL,
  processlistStatement,
  sanitizeState,
} from '../../../src/collectors/info-schema-processlist.js';
import type { Cell, QueryResult } from '../../../src/model/rows.js';
import { FakeDb, loadTsv, MARIADB_1011, MYSQL_57, MYSQL_80, result, server } from '../../helpers/fixtures.js';
import {
  buildCollector,
  expectFailure,
  expectSuccess,
  familyNames,
  scrapeOutcome,
} from '../../helpers/collector-under-test.js';
import { requireFamily, seriesValue } from '../../helpers/samples.js';

const COLUMNS = ['user', 'host', 'command', 'state', 'processes', 'seconds'];

/**
 * What PROCESSLIST_SQL returns for the captured Percona Server 8.0.32 `SHOW FULL PROCESSLIST`: the
 * same grouping (user, host without port, command, state; COUNT(*), SUM(time)) done here in the test.
 */
function groupedFixture(minTime = 0): QueryResult {
  const raw = loadTsv('percona-server-8.0.32/show-full-processlist.tsv');
  const groups = new Map<string, Cell[]>();
  for (const r of raw.rows) {
    if (Number(r.Time) < minTime) continue;
    const host = String(r.Host).split(':')[0]!;
    const cells: Cell[] = [r.User ?? null, host, r.Command ?? '', r.State ?? '', 0, 0];
    const k = cells.slice(0, 4).join('\u0000');
    const g = groups.get(k) ?? cells;
    g[4] = Number(g[4]) + 1;
    g[5] = String(Number(g[5]) + Number(r.Time));
    groups.set(k, g);
  }
  return result(COLUMNS, [...groups.values()]);
}

test('sanitizeState follows mysqld_exporter', () => {
  assert.equal(sanitizeState(''), 'unknown');
  assert.equal(sanitizeState('Binlog Dump'), 'binlog_dump');
  assert.equal(
    sanitizeState('Source has sent all binlog to replica; waiting for more updates'),
    'source_has_sent_all_binlog_to_replica_waiting_for_more_updates',
  );
  assert.equal(
    sanitizeState('Waiting for table metadata lock (x), a.b: c-d'),
    'waiting_for_table_metadata_lock_x_ab_c_d',
  );
});

test('Percona 8.0.32 processlist: threads and seconds by command/state, processes by user and host', async () => {
  const db = new FakeDb([[/(information|performance)_schema\.processlist/, groupedFixture()]]);
  const fams = await expectSuccess(buildCollector(infoSchemaProcesslist), MYSQL_80(), db);
  assert.equal(db.sent.length, 1);
  // MySQL >= 8.0.22 reads performance_schema.processlist (same columns, same metric names).
  assert.equal(db.sent[0]!.sql, PERF_SCHEMA_PROCESSLIST_SQL);
  assert.deepEqual(db.sent[0]!.params, [0, 10001]);
  assert.deepEqual(familyNames(fams), [
    'mysql_info_schema_processlist_processes_by_host',
    'mysql_info_schema_processlist_processes_by_user',
    'mysql_info_schema_processlist_seconds',
    'mysql_info_schema_processlist_threads',
  ]);
  const threads = requireFamily(fams, 'mysql_info_schema_processlist_threads');
  assert.equal(threads.type, 'gauge');
  assert.equal(seriesValue(threads, { command: 'sleep', state: 'unknown' }), 2);
  assert.equal(seriesValue(threads, { command: 'daemon', state: 'waiting_on_empty_queue' }), 1);
  assert.equal(
    seriesValue(threads, {
      command: 'binlog_dump',
      state: 'source_has_sent_all_binlog_to_replica_waiting_for_more_updates',
    }),
    1,
  );
  assert.equal(seriesValue(threads, { command: 'query', state: 'init' }), 1);
  const seconds = requireFamily(fams, 'mysql_info_schema_processlist_seconds');
  assert.equal(seriesValue(seconds, { command: 'sleep', state: 'unknown' }), 2520);
  assert.equal(seriesValue(seconds, { command: 'daemon', state: 'waiting_on_empty_queue' }), 108231);
  const byUser = requireFamily(fams, 'mysql_info_schema_processlist_processes_by_user');
  assert.equal(seriesValue(byUser, { mysql_user: 'msandbox' }), 4);
  assert.equal(seriesValue(byUser, { mysql_user: 'event_scheduler' }), 1);
  const byHost = requireFamily(fams, 'mysql_info_schema_processlist_processes_by_host');
  assert.deepEqual(byHost.samples, [{ labels: { client_host: 'localhost' }, value: 5 }]);
});

test('min_time is bound as a parameter; by_user/by_host flags drop their families', async () => {
  const db = new FakeDb([[/processlist/, groupedFixture(100)]]);
  const c = buildCollector(infoSchemaProcesslist, [
    '--collect.info_schema.processlist.min_time=100',
    '--no-collect.info_schema.processlist.processes_by_user',
    '--collect.info_schema.processlist.processes_by_host=false',
  ]);
  const fams = await expectSuccess(c, MARIADB_1011(), db);
  assert.deepEqual(db.sent[0]!.params, [100, 10001]);
  assert.deepEqual(familyNames(fams), [
    'mysql_info_schema_processlist_seconds',
    'mysql_info_schema_processlist_threads',
  ]);
  assert.equal(
    seriesValue(requireFamily(fams, 'mysql_info_schema_processlist_threads'), {
      command: 'sleep',
      state: 'unknown',
    }),
    1,
  );
});

test('states that normalise to the same label are summed; NULL cells do not break the collector', async () => {
  const db = new FakeDb([
    [
      /processlist/,
      result(COLUMNS, [
        ['app', '10.0.0.1', 'Query', 'Sending data', 2, '5'],
        ['app', '10.0.0.2', 'Query', 'sending data', 3, '7'],
        [null, null, null, null, null, null],
      ]),
    ],
  ]);
  const fams = await expectSuccess(buildCollector(infoSchemaProcesslist), MYSQL_57(), db);
  const threads = requireFamily(fams, 'mysql_info_schema_processlist_threads');
  assert.equal(seriesValue(threads, { command: 'query', state: 'sending_data' }), 5);
  assert.equal(
    seriesValue(requireFamily(fams, 'mysql_info_schema_processlist_seconds'), {
      command: 'query',
      state: 'sending_data',
    }),
    12,
  );
  assert.equal(seriesValue(threads, { command: 'unknown', state: 'unknown' }), 0);
  assert.equal(
    seriesValue(requireFamily(fams, 'mysql_info_schema_processlist_processes_by_user'), {
      mysql_user: 'app',
    }),
    5,
  );
  assert.equal(
    seriesValue(requireFamily(fams, 'mysql_info_schema_processlist_processes_by_host'), {
      client_host: '10.0.0.2',
    }),
    3,
  );
});

test('an empty processlist gives no families', async () => {
  const db = new FakeDb([[/processlist/, result(COLUMNS, [])]]);
  assert.deepEqual(await expectSuccess(buildCollector(infoSchemaProcesslist), MYSQL_80(), db), []);
});

test('max_series: the statement asks for one group more than the cap, and too many groups fail', async () => {
  const db = new FakeDb([[/processlist/, groupedFixture()]]);
  const err = await expectFailure(
    buildCollector(infoSchemaProcesslist, ['--collect.info_schema.processlist.max_series=3']),
    MYSQL_80(),
    db,
  );
  assert.deepEqual(db.sent[0]!.params, [0, 4]);
  assert.match(err, /info_schema\.processlist: more than 3 rows/);
  assert.match(err, /--collect\.info_schema\.processlist\.max_series/);
});

test('max_series also bounds the aggregated series', async () => {
  const db = new FakeDb([[/processlist/, groupedFixture()]]);
  // 4 groups fit under 6, but they make 4 threads + 4 seconds + 2 users + 1 host = 11 series.
  const err = await expectFailure(
    buildCollector(infoSchemaProcesslist, ['--collect.info_schema.processlist.max_series=6']),
    MYSQL_80(),
    db,
  );
  assert.match(err, /11 series exceed 6/);
});

test('a server version older than 5.1 runs no query', async () => {
  const db = new FakeDb([]);
  assert.equal(
    await scrapeOutcome(buildCollector(infoSchemaProcesslist), server('5.0.96-log'), db),
    undefined,
  );
  assert.equal(db.sent.length, 0);
});

test('processlist statement: performance_schema from MySQL 8.0.22, information_schema before and on MariaDB', () => {
  assert.equal(processlistStatement(server('8.0.22', '')), PERF_SCHEMA_PROCESSLIST_SQL);
  assert.equal(processlistStatement(server('8.4.3', '')), PERF_SCHEMA_PROCESSLIST_SQL);
  assert.equal(processlistStatement(server('8.0.21', '')), PROCESSLIST_SQL);
  assert.equal(processlistStatement(MYSQL_57()), PROCESSLIST_SQL);
  assert.equal(processlistStatement(MARIADB_1011()), PROCESSLIST_SQL);
  assert.ok(PERF_SCHEMA_PROCESSLIST_SQL.includes('FROM performance_schema.processlist'));
});
