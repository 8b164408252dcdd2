/**
 * No captured rows exist for this join; rows are built from the documented information_schema
 * columns (TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE; tables.AUTO_INCREMENT).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AUTO_INCREMENT_SQL,
  autoIncrementColumns,
  maxForType,
} from '../../../src/collectors/auto-increment-columns.js';
import { buildCollector, expectSuccess, scrapeOutcome } from '../../helpers/collector-under-test.js';
import { requireFamily, seriesValue } from '../../helpers/samples.js';
import { FakeDb, MARIADB_1011, MYSQL_57, MYSQL_80, result, server } from '../../helpers/fixtures.js';

const COLUMNS = ['table_schema', 'table_name', 'column_name', 'auto_increment', 'data_type', 'column_type'];

test('maxForType: 2^bits - 1 from the data type, one more bit when unsigned', () => {
  assert.equal(maxForType('tinyint', 'tinyint(4)'), 127);
  assert.equal(maxForType('tinyint', 'tinyint(3) unsigned'), 255);
  assert.equal(maxForType('smallint', 'smallint unsigned zerofill'), 65535);
  assert.equal(maxForType('mediumint', 'mediumint(9)'), 8388607);
  assert.equal(maxForType('int', 'int(11)'), 2147483647);
  assert.equal(maxForType('INT', 'INT UNSIGNED'), 4294967295);
  assert.equal(maxForType('bigint', 'bigint(20)'), 2 ** 63);
  assert.equal(maxForType('bigint', 'bigint unsigned'), 2 ** 64);
  assert.equal(maxForType('double', 'double'), undefined);
});

test('the statement is a STRAIGHT_JOIN with an exact-name join, highest next value first', () => {
  assert.match(
    AUTO_INCREMENT_SQL,
    /information_schema\.columns c STRAIGHT_JOIN information_schema\.tables t/,
  );
  assert.match(AUTO_INCREMENT_SQL, /CAST\(t\.TABLE_NAME AS BINARY\) = CAST\(c\.TABLE_NAME AS BINARY\)/);
  assert.match(AUTO_INCREMENT_SQL, /t\.AUTO_INCREMENT IS NOT NULL ORDER BY t\.AUTO_INCREMENT DESC, /);
});

test('current value and type maximum per (schema, table, column)', async () => {
  const db = new FakeDb([
    [
      /STRAIGHT_JOIN/,
      result(COLUMNS, [
        ['shop', 'orders', 'id', '1042', 'int', 'int(10) unsigned'],
        ['we\'ird"db', 'tâble', 'pk', 7, 'bigint', 'bigint(20)'],
        ['legacy', 'f', 'id', '3', 'double', 'double'],
        ['shop', 'empty', 'id', null, 'int', 'int(11)'],
      ]),
    ],
  ]);
  const fams = await expectSuccess(buildCollector(autoIncrementColumns), MYSQL_80(), db);
  assert.deepEqual(db.sent[0]!.params, []);
  const cur = requireFamily(fams, 'mysql_info_schema_auto_increment_column');
  const max = requireFamily(fams, 'mysql_info_schema_auto_increment_column_max');
  assert.equal(cur.type, 'gauge');
  assert.equal(seriesValue(cur, { schema: 'shop', table: 'orders', column: 'id' }), 1042);
  assert.equal(seriesValue(max, { schema: 'shop', table: 'orders', column: 'id' }), 4294967295);
  assert.equal(seriesValue(cur, { schema: 'we\'ird"db', table: 'tâble', column: 'pk' }), 7);
  assert.equal(seriesValue(max, { schema: 'we\'ird"db', table: 'tâble', column: 'pk' }), 2 ** 63);
  // A non-integer type has no maximum; a NULL value (no row yet) has no current value.
  assert.equal(seriesValue(cur, { schema: 'legacy', table: 'f', column: 'id' }), 3);
  assert.equal(seriesValue(max, { schema: 'legacy', table: 'f', column: 'id' }), undefined);
  assert.equal(seriesValue(cur, { schema: 'shop', table: 'empty', column: 'id' }), undefined);
  assert.equal(seriesValue(max, { schema: 'shop', table: 'empty', column: 'id' }), 2147483647);
});

test('an empty result gives no families (MySQL 5.7, MariaDB)', async () => {
  for (const s of [MYSQL_57(), MARIADB_1011()]) {
    const db = new FakeDb([[/STRAIGHT_JOIN/, result(COLUMNS, [])]]);
    assert.deepEqual(
      (await expectSuccess(buildCollector(autoIncrementColumns), s, db)).map((f) => f.name),
      ['mysql_exporter_collector_rows_dropped'],
    );
  }
});

test('max_series: the first columns (highest next value) that fit are served, the rest counted', async () => {
  const db = new FakeDb([
    [
      /STRAIGHT_JOIN/,
      result(COLUMNS, [
        ['a', 't1', 'id', 900, 'int', 'int'],
        ['a', 't2', 'id', 1, 'int', 'int'],
      ]),
    ],
  ]);
  const fams = await expectSuccess(
    buildCollector(autoIncrementColumns, ['--collect.auto_increment.columns.max_series=3']),
    MYSQL_80(),
    db,
  );
  const cur = requireFamily(fams, 'mysql_info_schema_auto_increment_column');
  assert.deepEqual(
    cur.samples.map((x) => x.labels.table),
    ['t1'],
  );
  assert.equal(
    seriesValue(requireFamily(fams, 'mysql_exporter_collector_rows_dropped'), {
      collector: 'collect.auto_increment.columns',
    }),
    1,
  );
});

test('a server version older than 5.1 runs no query', async () => {
  const db = new FakeDb([]);
  assert.equal(await scrapeOutcome(buildCollector(autoIncrementColumns), server('5.0.96'), db), undefined);
  assert.equal(db.sent.length, 0);
});
