/**
 * Counter names come from the captured MySQL 8.0 `innodb_metrics` listing and its dml_* counts
 * (test/fixtures/mysql-8.0); that capture has no SUBSYSTEM/TYPE/COMMENT columns, so those are filled
 * in from the documented values (dml_* are `status_counter` in subsystem `dml`, buffer_page_* are in
 * `buffer_page_io`, buffer_pool_pages_* in `buffer`). The MariaDB column set is the captured
 * `SHOW CREATE TABLE` of INNODB_METRICS.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  infoSchemaInnodbMetrics,
  METRICS_BY_ENABLED_SQL,
  METRICS_BY_STATUS_SQL,
} from '../../../src/collectors/info-schema-innodb-metrics.js';
import type { Cell } from '../../../src/model/rows.js';
import {
  FakeDb,
  loadTsv,
  MARIADB_1011,
  MARIADB_114,
  MYSQL_57,
  MYSQL_80,
  MYSQL_84,
  result,
  server,
} from '../../helpers/fixtures.js';
import {
  buildCollector,
  expectSuccess,
  familyNames,
  scrapeOutcome,
} from '../../helpers/collector-under-test.js';
import { requireFamily, seriesValue } from '../../helpers/samples.js';

const COLUMNS = ['name', 'subsystem', 'type', 'comment', 'count'];

function fixtureRows(): Cell[][] {
  const rows: Cell[][] = [];
  for (const r of loadTsv('mysql-8.0/information_schema.innodb_metrics.dml-counters.tsv').rows) {
    rows.push([r.name!, 'dml', 'status_counter', `Number of ${r.name}`, r.count!]);
  }
  let n = 0;
  for (const r of loadTsv('mysql-8.0/information_schema.innodb_metrics.name-status.tsv').rows) {
    const name = String(r.name);
    if (name.startsWith('buffer_page_read_') || name.startsWith('buffer_page_written_')) {
      rows.push([name, 'buffer_page_io', 'counter', 'Number of pages', String(++n)]);
    } else if (name.startsWith('buffer_pool_pages_')) {
      rows.push([name, 'buffer', 'value', 'Buffer pool pages', String(++n * 100)]);
    }
  }
  return rows;
}

test('the enabled-filter column is chosen by flavor and version, matching the captured schemas', async () => {
  assert.ok(
    loadTsv('mysql-8.0/information_schema.innodb_metrics.name-status.tsv').columns.includes('status'),
  );
  const create = String(
    loadTsv('mariadb-testsuite/show-create-table.information_schema.innodb_metrics.tsv').rows[0]![
      'Create Table'
    ],
  );
  assert.match(create, /`ENABLED` int\(1\)/);
  assert.doesNotMatch(create, /`STATUS`/);
  const cases = [
    [MYSQL_57(), METRICS_BY_STATUS_SQL],
    [MYSQL_80(), METRICS_BY_STATUS_SQL],
    [MYSQL_84(), METRICS_BY_STATUS_SQL],
    [server('10.4.34-MariaDB'), METRICS_BY_STATUS_SQL],
    [server('10.5.27-MariaDB'), METRICS_BY_ENABLED_SQL],
    [MARIADB_1011(), METRICS_BY_ENABLED_SQL],
    [MARIADB_114(), METRICS_BY_ENABLED_SQL],
  ] as const;
  for (const [s, sql] of cases) {
    const db = new FakeDb([[/innodb_metrics/, result(COLUMNS, [])]]);
    await expectSuccess(buildCollector(infoSchemaInnodbMetrics), s, db);
    assert.deepEqual(
      db.sent.map((x) => x.sql),
      [sql],
      s.versionString,
    );
  }
  assert.match(METRICS_BY_ENABLED_SQL, /WHERE ENABLED = 1$/);
  assert.match(METRICS_BY_STATUS_SQL, /WHERE STATUS = 'enabled'$/);
});

test('MySQL 8.0 counters: generic names, buffer page I/O by type, buffer pool pages by state', async () => {
  const rows = fixtureRows();
  const count = (name: string) => Number(rows.find((r) => r[0] === name)![4]);
  const db = new FakeDb([[/innodb_metrics/, result(COLUMNS, rows)]]);
  const fams = await expectSuccess(buildCollector(infoSchemaInnodbMetrics), MYSQL_80(), db);
  const reads = requireFamily(fams, 'mysql_info_schema_innodb_metrics_dml_dml_reads_total');
  assert.equal(reads.type, 'counter');
  assert.equal(reads.help, 'Number of dml_reads');
  assert.deepEqual(reads.samples, [{ labels: {}, value: 4 }]);
  assert.equal(
    requireFamily(fams, 'mysql_info_schema_innodb_metrics_dml_dml_updates_total').samples[0]!.value,
    2,
  );

  const pageRead = requireFamily(fams, 'mysql_info_schema_innodb_metrics_buffer_page_read_total');
  assert.equal(pageRead.type, 'counter');
  assert.equal(seriesValue(pageRead, { type: 'index_leaf' }), count('buffer_page_read_index_leaf'));
  assert.equal(seriesValue(pageRead, { type: 'ibuf_free_list' }), count('buffer_page_read_ibuf_free_list'));
  const pageWritten = requireFamily(fams, 'mysql_info_schema_innodb_metrics_buffer_page_written_total');
  const prefixed = (p: string) => rows.filter((r) => String(r[0]).startsWith(p)).length;
  assert.equal(pageRead.samples.length, prefixed('buffer_page_read_'));
  assert.equal(pageWritten.samples.length, prefixed('buffer_page_written_'));

  const pages = requireFamily(fams, 'mysql_info_schema_innodb_metrics_buffer_pool_pages');
  assert.equal(pages.type, 'gauge');
  assert.deepEqual(pages.samples.map((s) => s.labels.state).sort(), ['data', 'free', 'misc']);
  const dirty = requireFamily(fams, 'mysql_info_schema_innodb_metrics_buffer_pool_dirty_pages');
  assert.deepEqual(dirty.samples, [{ labels: {}, value: count('buffer_pool_pages_dirty') }]);
  assert.equal(seriesValue(pages, { state: 'free' }), count('buffer_pool_pages_free'));
  assert.ok(!familyNames(fams).some((n) => n.includes('pages_total')));
  assert.ok(!familyNames(fams).some((n) => n.startsWith('mysql_info_schema_innodb_metrics_buffer_page_io_')));
});

test('MariaDB 10.11 rows: names keep their case, value types are gauges, negative counters become gauges, NULL counts are skipped', async () => {
  const db = new FakeDb([
    [
      /innodb_metrics/,
      result(COLUMNS, [
        ['lock_deadlocks', 'lock', 'value', 'Number of deadlocks', '3'],
        ['lock_row_lock_time', 'lock', 'status_counter', 'Time spent in acquiring row locks', '17'],
        ['trx_active_transactions', 'transaction', 'counter', 'Number of active transactions', '-1'],
        ['buffer_pool_reads', 'buffer', 'status_counter', 'Number of reads directly from disk', '170'],
        [
          'buffer_LRU_batch_flush_total_pages',
          'buffer',
          'status_counter',
          'Total pages flushed as part of LRU batches',
          '9',
        ],
        ['buffer_page_bogus', 'buffer_page_io', 'counter', 'not a read or write', '1'],
        ['icp_attempts', 'icp', 'counter', 'ICP attempts', null],
      ]),
    ],
  ]);
  const fams = await expectSuccess(buildCollector(infoSchemaInnodbMetrics), MARIADB_1011(), db);
  assert.deepEqual(familyNames(fams), [
    'mysql_info_schema_innodb_metrics_buffer_buffer_LRU_batch_flush_total_pages_total',
    'mysql_info_schema_innodb_metrics_buffer_buffer_pool_reads_total',
    'mysql_info_schema_innodb_metrics_lock_lock_deadlocks',
    'mysql_info_schema_innodb_metrics_lock_lock_row_lock_time_total',
    'mysql_info_schema_innodb_metrics_transaction_trx_active_transactions',
  ]);
  assert.equal(requireFamily(fams, 'mysql_info_schema_innodb_metrics_lock_lock_deadlocks').type, 'gauge');
  const neg = requireFamily(fams, 'mysql_info_schema_innodb_metrics_transaction_trx_active_transactions');
  assert.equal(neg.type, 'gauge');
  assert.equal(neg.samples[0]!.value, -1);
});

test('MySQL 5.5 runs no query', async () => {
  const db = new FakeDb([]);
  assert.equal(
    await scrapeOutcome(buildCollector(infoSchemaInnodbMetrics), server('5.5.62-log'), db),
    undefined,
  );
  assert.equal(db.sent.length, 0);
});
