/**
 * No captured information_schema.tables rows exist in test/fixtures; rows are built from the
 * documented column list (TABLE_SCHEMA ... CREATE_OPTIONS), with the NULLs a MySQL 8.0 view row has.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  infoSchemaTables,
  parseDatabases,
  TABLES_ALL_SQL,
  tablesInSchemasSql,
} from '../../../src/collectors/info-schema-tables.js';
import type { Cell } from '../../../src/model/rows.js';
import {
  buildCollector,
  expectSuccess,
  familyNames,
  scrapeOutcome,
} from '../../helpers/collector-under-test.js';
import { requireFamily, seriesValue } from '../../helpers/samples.js';
import { FakeDb, MARIADB_1011, MYSQL_57, MYSQL_80, result, server } from '../../helpers/fixtures.js';

const COLUMNS = [
  'TABLE_SCHEMA',
  'TABLE_NAME',
  'TABLE_TYPE',
  'ENGINE',
  'VERSION',
  'ROW_FORMAT',
  'TABLE_ROWS',
  'DATA_LENGTH',
  'INDEX_LENGTH',
  'DATA_FREE',
  'CREATE_OPTIONS',
];

const HOSTILE_SCHEMA = 'we\'ird"db`x\nline';
const ROWS: Cell[][] = [
  ['shop', 'orders', 'BASE TABLE', 'InnoDB', '10', 'Dynamic', '1234', '16384', '32768', '0', ''],
  [HOSTILE_SCHEMA, 'tâble ✓', 'BASE TABLE', 'Aria', 10, 'Page', 3, 8192, 8192, 0, 'partitioned'],
  ['shop', 'v_orders', 'VIEW', null, null, null, null, null, null, null, null],
];

test('parseDatabases: * means all, a list is split on commas and trimmed', () => {
  assert.equal(parseDatabases('*'), '*');
  assert.equal(parseDatabases(''), '*');
  assert.deepEqual(parseDatabases('shop, crm,,shop'), ['shop', 'crm']);
});

test('default *: one statement over every non-system schema, five series per table', async () => {
  const db = new FakeDb([[/information_schema\.tables/, result(COLUMNS, ROWS)]]);
  const fams = await expectSuccess(buildCollector(infoSchemaTables), MYSQL_80(), db);
  assert.equal(db.sent.length, 1);
  assert.equal(db.sent[0]!.sql, TABLES_ALL_SQL);
  assert.match(TABLES_ALL_SQL, /NOT IN \('mysql', 'performance_schema', 'information_schema'\) /);
  assert.match(TABLES_ALL_SQL, /ORDER BY IFNULL\(DATA_LENGTH, 0\) \+ IFNULL\(INDEX_LENGTH, 0\) DESC/);
  assert.deepEqual(db.sent[0]!.params, []);
  assert.deepEqual(familyNames(fams), [
    'mysql_exporter_collector_rows_dropped',
    'mysql_info_schema_table_rows',
    'mysql_info_schema_table_size',
    'mysql_info_schema_table_version',
  ]);
  const version = requireFamily(fams, 'mysql_info_schema_table_version');
  assert.equal(
    seriesValue(version, {
      schema: 'shop',
      table: 'orders',
      type: 'BASE TABLE',
      engine: 'InnoDB',
      row_format: 'Dynamic',
      create_options: '',
    }),
    10,
  );
  // A view: NULL engine, row format, options -> NONE; NULL numbers -> 0 (as mysqld_exporter's IFNULLs).
  assert.equal(
    seriesValue(version, {
      schema: 'shop',
      table: 'v_orders',
      type: 'VIEW',
      engine: 'NONE',
      row_format: 'NONE',
      create_options: 'NONE',
    }),
    0,
  );
  const rows = requireFamily(fams, 'mysql_info_schema_table_rows');
  assert.equal(seriesValue(rows, { schema: 'shop', table: 'orders' }), 1234);
  assert.equal(seriesValue(rows, { schema: HOSTILE_SCHEMA, table: 'tâble ✓' }), 3);
  const size = requireFamily(fams, 'mysql_info_schema_table_size');
  assert.equal(seriesValue(size, { schema: 'shop', table: 'orders', component: 'index_length' }), 32768);
  assert.equal(
    seriesValue(size, { schema: HOSTILE_SCHEMA, table: 'tâble ✓', component: 'data_length' }),
    8192,
  );
  assert.equal(seriesValue(size, { schema: 'shop', table: 'v_orders', component: 'data_free' }), 0);
  assert.equal(size.samples.length, 9);
});

test('--collect.info_schema.tables.databases binds each schema name as a parameter, verbatim', async () => {
  const db = new FakeDb([
    [
      /TABLE_SCHEMA IN \(\?, \?\)/,
      (params) =>
        result(
          COLUMNS,
          ROWS.filter((r) => params.includes(r[0])),
        ),
    ],
  ]);
  const c = buildCollector(infoSchemaTables, [
    `--collect.info_schema.tables.databases=shop,${HOSTILE_SCHEMA}`,
  ]);
  const fams = await expectSuccess(c, MARIADB_1011(), db);
  assert.deepEqual(
    db.sent.map((s) => [s.sql, s.params]),
    [[tablesInSchemasSql(2), ['shop', HOSTILE_SCHEMA]]],
  );
  for (const s of db.sent) assert.ok(!s.sql.includes('shop') && !s.sql.includes('ird'));
  assert.equal(requireFamily(fams, 'mysql_info_schema_table_rows').samples.length, 3);
});

test('the same table returned twice (schema listed in two letter cases) is emitted once', async () => {
  const db = new FakeDb([[/TABLE_SCHEMA IN \(\?, \?\)/, result(COLUMNS, [ROWS[0]!, ROWS[0]!])]]);
  const c = buildCollector(infoSchemaTables, ['--collect.info_schema.tables.databases=shop,SHOP']);
  const fams = await expectSuccess(c, MYSQL_57(), db);
  assert.equal(requireFamily(fams, 'mysql_info_schema_table_rows').samples.length, 1);
});

test('max_series: over the cap the first rows of the statement (largest first) are served, the rest counted', async () => {
  // 12 series / 5 per table = 2 tables; the statement orders largest first, so those are its first rows.
  const db = new FakeDb([[/information_schema\.tables/, result(COLUMNS, ROWS)]]);
  const fams = await expectSuccess(
    buildCollector(infoSchemaTables, ['--collect.info_schema.tables.max_series=12']),
    MYSQL_80(),
    db,
  );
  const rows = requireFamily(fams, 'mysql_info_schema_table_rows');
  assert.deepEqual(
    rows.samples.map((x) => x.labels.table),
    ['orders', 'tâble ✓'],
  );
  assert.equal(
    seriesValue(requireFamily(fams, 'mysql_exporter_collector_rows_dropped'), {
      collector: 'collect.info_schema.tables',
    }),
    1,
  );
});

test('a server version older than 5.1 runs no query', async () => {
  const db = new FakeDb([]);
  assert.equal(await scrapeOutcome(buildCollector(infoSchemaTables), server('5.0.96'), db), undefined);
  assert.equal(db.sent.length, 0);
});
