import assert from 'node:assert/strict';
import { test } from 'node:test';
import { perfSchemaEventsStatements } from '../../../src/collectors/perf-schema-events-statements.js';
import { CollectorError } from '../../../src/errors.js';
import type { Cell, QueryResult } from '../../../src/model/rows.js';
import {
  FakeDb,
  MARIADB_1011,
  MARIADB_114,
  MYSQL_57,
  MYSQL_80,
  context,
  loadTsv,
  result,
  server,
} from '../../helpers/fixtures.js';
import { buildCollector, scrapeOutcome, validSeriesCount } from '../../helpers/collector-under-test.js';
import { requireFamily, seriesValue } from '../../helpers/samples.js';
import type { Labels, MetricFamily } from '../../../src/model/metrics.js';

const TABLE = 'events_statements_summary_by_digest';

/** The value of the `mysql_perf_schema_events_statements_<suffix>` series with these labels. */
const statementsValue = (fams: readonly MetricFamily[], suffix: string, labels: Labels) =>
  seriesValue(requireFamily(fams, `mysql_perf_schema_events_statements_${suffix}`), labels);

/** Column names of the digest table from a captured information_schema.columns subset. */
function capturedColumns(path: string): Set<string> {
  return new Set(
    loadTsv(path)
      .rows.filter((r) => r.TABLE_NAME === TABLE)
      .map((r) => String(r.COLUMN_NAME)),
  );
}
const MYSQL_57_COLUMNS = capturedColumns(
  'mysql-5.7/information_schema.columns.performance_schema-subset.tsv',
);
// The 8.0 capture is 8.0.14-8.0.18: QUANTILE_* present, SUM_CPU_TIME not yet (added in 8.0.28 per the
// MySQL manual, with MAX_CONTROLLED_MEMORY/MAX_TOTAL_MEMORY in 8.0.31). Those three are added by hand.
const MYSQL_80_EARLY_COLUMNS = capturedColumns(
  'mysql-8.0/information_schema.columns.performance_schema-subset.tsv',
);
const MYSQL_80_LATE_COLUMNS = new Set([
  ...MYSQL_80_EARLY_COLUMNS,
  'SUM_CPU_TIME',
  'MAX_CONTROLLED_MEMORY',
  'MAX_TOTAL_MEMORY',
]);
// MariaDB 10.11 and 11.4 have the 29 columns of MySQL 5.7 (10.11 checked on the local server by
// test/integration/collectors-b.test.ts; 11.4 per mysqld_exporter #905/#1026: no SUM_CPU_TIME, no QUANTILE_*).
const MARIADB_COLUMNS = MYSQL_57_COLUMNS;

const NOT_COLUMNS = new Set([
  'SELECT',
  'IFNULL',
  'NONE',
  'AS',
  'LEFT',
  'FROM',
  'WHERE',
  'NOT',
  'IN',
  'AND',
  'DATE_SUB',
  'NOW',
  'INTERVAL',
  'SECOND',
  'ORDER',
  'BY',
  'DESC',
  'LIMIT',
]);
function columnsIn(sql: string): string[] {
  const body = sql.replace(/performance_schema\.events_statements_summary_by_digest/, '');
  return [...new Set(body.match(/\b[A-Z][A-Z0-9_]+\b/g) ?? [])].filter((w) => !NOT_COLUMNS.has(w));
}

const COMMON = [
  'SCHEMA_NAME',
  'DIGEST',
  'DIGEST_TEXT',
  'COUNT_STAR',
  'SUM_TIMER_WAIT',
  'SUM_LOCK_TIME',
  'SUM_ERRORS',
  'SUM_WARNINGS',
  'SUM_ROWS_AFFECTED',
  'SUM_ROWS_SENT',
  'SUM_ROWS_EXAMINED',
  'SUM_CREATED_TMP_TABLES',
  'SUM_CREATED_TMP_DISK_TABLES',
  'SUM_SORT_MERGE_PASSES',
  'SUM_SORT_ROWS',
  'SUM_NO_INDEX_USED',
] as const;

/** Digest rows built from the documented column list (no captured digest rows exist in the fixtures). */
function digestRows(extra: readonly string[], rows: ReadonlyArray<readonly Cell[]>): QueryResult {
  return result([...COMMON, ...extra], rows);
}

const ROW_SHOP: Cell[] = [
  'shop',
  '3f1c0d2e',
  'SELECT * FROM `orders` WHERE `id` = ?',
  '42',
  '123000000000000',
  '5000000000',
  '1',
  '2',
  '0',
  '420',
  '8400',
  '3',
  '1',
  '0',
  '17',
  '42',
];

test('MySQL 5.7: only columns the 5.7 table has, counters from the row, summary without quantiles', async () => {
  const db = new FakeDb([[/events_statements_summary_by_digest/, digestRows([], [ROW_SHOP])]]);
  const c = buildCollector(perfSchemaEventsStatements);
  const fams = await c.collect(context(db, MYSQL_57()));
  assert.equal(db.sent.length, 1);
  for (const col of columnsIn(db.sent[0]!.sql)) assert.ok(MYSQL_57_COLUMNS.has(col), `5.7 has no ${col}`);
  assert.doesNotMatch(db.sent[0]!.sql, /QUANTILE|SUM_CPU_TIME/);
  const labels = { schema: 'shop', digest: '3f1c0d2e', digest_text: 'SELECT * FROM `orders` WHERE `id` = ?' };
  assert.equal(statementsValue(fams, 'total', labels), 42);
  assert.equal(statementsValue(fams, 'seconds_total', labels), 123);
  assert.equal(statementsValue(fams, 'lock_time_seconds_total', labels), 0.005);
  assert.equal(statementsValue(fams, 'rows_examined_total', labels), 8400);
  assert.equal(statementsValue(fams, 'tmp_tables_total', labels), 3);
  assert.equal(statementsValue(fams, 'tmp_disk_tables_total', labels), 1);
  assert.equal(statementsValue(fams, 'sort_rows_total', labels), 17);
  assert.equal(statementsValue(fams, 'no_index_used_total', labels), 42);
  assert.ok(!fams.some((f) => f.name === 'mysql_perf_schema_events_statements_cpu_time_seconds_total'));
  const latency = requireFamily(fams, 'mysql_perf_schema_events_statements_latency');
  assert.equal(latency.type, 'summary');
  assert.equal(seriesValue(latency, labels, '_count'), 42);
  assert.equal(seriesValue(latency, labels, '_sum'), 123);
  assert.equal(latency.samples.length, 2);
  validSeriesCount(fams);
});

test('MySQL 8.0.14-8.0.18: quantiles selected (keys 95, 99, 999), no SUM_CPU_TIME', async () => {
  const row = [...ROW_SHOP, '2000000000', '9000000000', '250000000000'];
  const db = new FakeDb([
    [
      /events_statements_summary_by_digest/,
      digestRows(['QUANTILE_95', 'QUANTILE_99', 'QUANTILE_999'], [row]),
    ],
  ]);
  const fams = await buildCollector(perfSchemaEventsStatements).collect(
    context(db, server('8.0.18', 'MySQL Community Server - GPL')),
  );
  for (const col of columnsIn(db.sent[0]!.sql))
    assert.ok(MYSQL_80_EARLY_COLUMNS.has(col), `8.0.18 has no ${col}`);
  assert.doesNotMatch(db.sent[0]!.sql, /SUM_CPU_TIME/);
  const latency = requireFamily(fams, 'mysql_perf_schema_events_statements_latency');
  const labels = { schema: 'shop', digest: '3f1c0d2e', digest_text: 'SELECT * FROM `orders` WHERE `id` = ?' };
  assert.equal(seriesValue(latency, { ...labels, quantile: '95' }), 0.002);
  assert.equal(seriesValue(latency, { ...labels, quantile: '99' }), 0.009);
  assert.equal(seriesValue(latency, { ...labels, quantile: '999' }), 0.25);
  validSeriesCount(fams);
});

test('MySQL 8.0.30: SUM_CPU_TIME and quantiles', async () => {
  const row = [...ROW_SHOP, '7000000000000', '1', '2', '3'];
  const db = new FakeDb([
    [
      /events_statements_summary_by_digest/,
      digestRows(['SUM_CPU_TIME', 'QUANTILE_95', 'QUANTILE_99', 'QUANTILE_999'], [row]),
    ],
  ]);
  const fams = await buildCollector(perfSchemaEventsStatements).collect(context(db, MYSQL_80()));
  for (const col of columnsIn(db.sent[0]!.sql))
    assert.ok(MYSQL_80_LATE_COLUMNS.has(col), `8.0.30 has no ${col}`);
  const labels = { schema: 'shop', digest: '3f1c0d2e', digest_text: 'SELECT * FROM `orders` WHERE `id` = ?' };
  assert.equal(statementsValue(fams, 'cpu_time_seconds_total', labels), 7);
  validSeriesCount(fams);
});

for (const [label, info] of [
  ['MariaDB 10.11', MARIADB_1011],
  ['MariaDB 11.4', MARIADB_114],
] as const) {
  test(`${label}: no SUM_CPU_TIME and no QUANTILE_* (MariaDB is not "newer than 8.0.28")`, async () => {
    const db = new FakeDb([[/events_statements_summary_by_digest/, digestRows([], [ROW_SHOP])]]);
    const fams = await buildCollector(perfSchemaEventsStatements).collect(context(db, info()));
    for (const col of columnsIn(db.sent[0]!.sql))
      assert.ok(MARIADB_COLUMNS.has(col), `MariaDB has no ${col}`);
    assert.equal(requireFamily(fams, 'mysql_perf_schema_events_statements_latency').samples.length, 2);
    validSeriesCount(fams);
  });
}

test('NULL cells are skipped, NULL digest text is an empty label, an empty table is a success', async () => {
  const nullRow: Cell[] = [
    'shop',
    'abc',
    null,
    '5',
    '1000000000000',
    null,
    '0',
    '0',
    '0',
    '0',
    null,
    '0',
    '0',
    '0',
    '0',
    '0',
  ];
  const db = new FakeDb([[/events_statements_summary_by_digest/, digestRows([], [nullRow])]]);
  const fams = await buildCollector(perfSchemaEventsStatements).collect(context(db, MYSQL_57()));
  const labels = { schema: 'shop', digest: 'abc', digest_text: '' };
  assert.equal(statementsValue(fams, 'total', labels), 5);
  assert.ok(!fams.some((f) => f.name === 'mysql_perf_schema_events_statements_lock_time_seconds_total'));
  assert.ok(!fams.some((f) => f.name === 'mysql_perf_schema_events_statements_rows_examined_total'));
  validSeriesCount(fams);

  const empty = new FakeDb([[/events_statements_summary_by_digest/, digestRows([], [])]]);
  const outcome = await scrapeOutcome(buildCollector(perfSchemaEventsStatements), MARIADB_1011(), empty);
  assert.equal(outcome?.success, true);
  assert.deepEqual(outcome?.families, []);
});

test('a repeated (schema, digest, text) row keeps the first and does not break the scrape', async () => {
  const second = [...ROW_SHOP];
  second[3] = '1';
  const db = new FakeDb([[/events_statements_summary_by_digest/, digestRows([], [ROW_SHOP, second])]]);
  const outcome = await scrapeOutcome(buildCollector(perfSchemaEventsStatements), MYSQL_57(), db);
  assert.equal(outcome?.success, true);
  const total = requireFamily(outcome!.families, 'mysql_perf_schema_events_statements_total');
  assert.deepEqual(
    total.samples.map((s) => s.value),
    [42],
  );
});

test('flags: limit, timelimit, digest_text_limit and exclude_schemas become bound parameters', async () => {
  const db = new FakeDb([[/events_statements_summary_by_digest/, digestRows([], [])]]);
  const c = buildCollector(perfSchemaEventsStatements, [
    '--collect.perf_schema.eventsstatements.limit=7',
    '--collect.perf_schema.eventsstatements.timelimit=60',
    '--collect.perf_schema.eventsstatements.digest_text_limit=30',
    '--collect.perf_schema.eventsstatements.exclude_schemas=sys',
    "--collect.perf_schema.eventsstatements.exclude_schemas=it's",
  ]);
  await c.collect(context(db, MYSQL_57()));
  assert.deepEqual(db.sent[0]!.params, [
    30,
    'mysql',
    'performance_schema',
    'information_schema',
    'sys',
    "it's",
    60,
    7,
  ]);
  assert.doesNotMatch(db.sent[0]!.sql, /sys|it's/);

  const defaults = new FakeDb([[/events_statements_summary_by_digest/, digestRows([], [])]]);
  await buildCollector(perfSchemaEventsStatements).collect(context(defaults, MYSQL_57()));
  assert.deepEqual(defaults.sent[0]!.params, [
    120,
    'mysql',
    'performance_schema',
    'information_schema',
    86400,
    250,
  ]);
});

test('max_series: the statement asks for one row more than fits, and more rows fail cleanly', async () => {
  // MySQL 5.7: 13 counters + summary _sum/_count = 15 series per digest; 40 series -> 2 digests.
  const rows = [0, 1, 2].map((i) => {
    const r = [...ROW_SHOP];
    r[1] = `d${i}`;
    return r;
  });
  const db = new FakeDb([[/events_statements_summary_by_digest/, digestRows([], rows)]]);
  const c = buildCollector(perfSchemaEventsStatements, [
    '--collect.perf_schema.eventsstatements.max_series=40',
  ]);
  await assert.rejects(c.collect(context(db, MYSQL_57())), (err: unknown) => {
    assert.ok(err instanceof CollectorError);
    assert.match(err.message, /max_series/);
    return true;
  });
  assert.equal(db.sent[0]!.params.at(-1), 3);
  const outcome = await scrapeOutcome(c, MYSQL_57(), new FakeDb([[/digest/, digestRows([], rows)]]));
  assert.equal(outcome?.success, false);
});

test('unsupported servers run no query', async () => {
  const db = new FakeDb([]);
  const outcome = await scrapeOutcome(
    buildCollector(perfSchemaEventsStatements),
    server('5.5.62', 'MySQL Community Server (GPL)'),
    db,
  );
  assert.equal(outcome, undefined);
  assert.equal(db.sent.length, 0);
});
