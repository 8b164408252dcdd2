import assert from 'node:assert/strict';
import { test } from 'node:test';
import { perfSchemaMemoryEvents } from '../../../src/collectors/perf-schema-memory-events.js';
import { FakeDb, MARIADB_1011, MYSQL_57, MYSQL_80, context, result, server } from '../../helpers/fixtures.js';
import { buildCollector, scrapeOutcome, validSeriesCount } from '../../helpers/collector-under-test.js';
import { requireFamily, seriesValue } from '../../helpers/samples.js';

const COLUMNS = [
  'EVENT_NAME',
  'SUM_NUMBER_OF_BYTES_ALLOC',
  'SUM_NUMBER_OF_BYTES_FREE',
  'CURRENT_NUMBER_OF_BYTES_USED',
];

// MariaDB rows: values seen on the local MariaDB 10.11 right after start-up. MySQL rows are built from
// the documented columns; the negative used-bytes value is the one reported in mysqld_exporter #955.
const MARIADB_ROWS = result(COLUMNS, [
  ['memory/performance_schema/mutex_instances', '131072', '0', '131072'],
  ['memory/performance_schema/file_instances', '2883584', '0', '2883584'],
]);
const MYSQL_ROWS = result(COLUMNS, [
  ['memory/innodb/buf_buf_pool', '137428992', '0', '137428992'],
  ['memory/sql/THD::main_mem_root', '5029120', '5073918456', '-44798456'],
]);

test('MySQL: alloc/free counters and a used-bytes gauge that may be negative, prefix removed', async () => {
  const db = new FakeDb([[/memory_summary_global_by_event_name/, MYSQL_ROWS]]);
  const outcome = await scrapeOutcome(buildCollector(perfSchemaMemoryEvents), MYSQL_80(), db);
  assert.equal(outcome?.success, true, outcome?.error);
  const fams = outcome!.families;
  const alloc = requireFamily(fams, 'mysql_perf_schema_memory_events_alloc_bytes_total');
  const free = requireFamily(fams, 'mysql_perf_schema_memory_events_free_bytes_total');
  const used = requireFamily(fams, 'mysql_perf_schema_memory_events_used_bytes');
  assert.equal(alloc.type, 'counter');
  assert.equal(used.type, 'gauge');
  assert.equal(seriesValue(alloc, { event_name: 'innodb/buf_buf_pool' }), 137428992);
  assert.equal(seriesValue(free, { event_name: 'sql/THD::main_mem_root' }), 5073918456);
  assert.equal(seriesValue(used, { event_name: 'sql/THD::main_mem_root' }), -44798456);
  assert.match(db.sent[0]!.sql, /WHERE COUNT_ALLOC > 0/);
  validSeriesCount(fams);
});

test('MariaDB 10.11 rows', async () => {
  const db = new FakeDb([[/memory_summary_global_by_event_name/, MARIADB_ROWS]]);
  const fams = await buildCollector(perfSchemaMemoryEvents).collect(context(db, MARIADB_1011()));
  const used = requireFamily(fams, 'mysql_perf_schema_memory_events_used_bytes');
  assert.equal(seriesValue(used, { event_name: 'performance_schema/file_instances' }), 2883584);
  validSeriesCount(fams);
});

test('flag: remove_prefix; a prefix that maps two names onto one sums them', async () => {
  const db = new FakeDb([[/memory_summary/, MYSQL_ROWS]]);
  const keep = await buildCollector(perfSchemaMemoryEvents, [
    '--collect.perf_schema.memory_events.remove_prefix=',
  ]).collect(context(db, MYSQL_57()));
  assert.equal(
    seriesValue(requireFamily(keep, 'mysql_perf_schema_memory_events_used_bytes'), {
      event_name: 'memory/innodb/buf_buf_pool',
    }),
    137428992,
  );

  const clash = new FakeDb([
    [
      /memory_summary/,
      result(COLUMNS, [
        ['memory/a/x', '10', '1', '9'],
        ['a/x', '5', '0', '5'],
      ]),
    ],
  ]);
  const fams = await buildCollector(perfSchemaMemoryEvents, [
    '--collect.perf_schema.memory_events.remove_prefix=memory/',
  ]).collect(context(clash, MYSQL_57()));
  assert.equal(
    seriesValue(requireFamily(fams, 'mysql_perf_schema_memory_events_alloc_bytes_total'), {
      event_name: 'a/x',
    }),
    15,
  );
  assert.equal(
    seriesValue(requireFamily(fams, 'mysql_perf_schema_memory_events_used_bytes'), { event_name: 'a/x' }),
    14,
  );
  validSeriesCount(fams);
});

test('NULL cells are skipped; an empty table is a success', async () => {
  const db = new FakeDb([[/memory_summary/, result(COLUMNS, [['memory/sql/x', '10', null, null]])]]);
  const fams = await buildCollector(perfSchemaMemoryEvents).collect(context(db, MYSQL_80()));
  assert.deepEqual(
    fams.map((f) => f.name),
    ['mysql_perf_schema_memory_events_alloc_bytes_total'],
  );
  const empty = new FakeDb([[/memory_summary/, result(COLUMNS, [])]]);
  assert.deepEqual(await buildCollector(perfSchemaMemoryEvents).collect(context(empty, MYSQL_80())), []);
});

test('servers without the table run no query (MySQL 5.6, MariaDB 10.4)', async () => {
  for (const info of [
    server('5.6.51', 'MySQL Community Server (GPL)'),
    server('10.4.34-MariaDB', 'MariaDB Server'),
  ]) {
    const db = new FakeDb([]);
    assert.equal(await scrapeOutcome(buildCollector(perfSchemaMemoryEvents), info, db), undefined);
    assert.equal(db.sent.length, 0);
  }
});
