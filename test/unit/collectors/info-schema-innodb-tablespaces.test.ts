/**
 * The MariaDB column list comes from the captured `SHOW CREATE TABLE INNODB_SYS_TABLESPACES`
 * (test/fixtures/mariadb-testsuite); MySQL 5.7 (INNODB_SYS_TABLESPACES with FILE_FORMAT, SPACE_TYPE)
 * and 8.0 (INNODB_TABLESPACES, no FILE_FORMAT) column lists are the documented ones. Rows are built
 * by hand; the MariaDB values are those the local MariaDB 10.11 returned for innodb_system.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  detectTablespaceShape,
  infoSchemaInnodbTablespaces,
  probeSql,
  tablespacesSql,
} from '../../../src/collectors/info-schema-innodb-tablespaces.js';
import { FakeDb, loadTsv, MARIADB_1011, MYSQL_57, MYSQL_80, result, server } from '../../helpers/fixtures.js';
import {
  buildCollector,
  expectFailure,
  expectSuccess,
  scrapeOutcome,
} from '../../helpers/collector-under-test.js';
import { requireFamily, seriesValue } from '../../helpers/samples.js';

function mariadbColumns(): string[] {
  const create = String(
    loadTsv('mariadb-testsuite/show-create-table.information_schema.innodb_sys_tablespaces.tsv').rows[0]![
      'Create Table'
    ],
  );
  return [...create.matchAll(/^\s+`(\w+)`/gm)].map((m) => m[1]!);
}

const MYSQL_57_COLUMNS = [
  'SPACE',
  'NAME',
  'FLAG',
  'FILE_FORMAT',
  'ROW_FORMAT',
  'PAGE_SIZE',
  'ZIP_PAGE_SIZE',
  'SPACE_TYPE',
  'FS_BLOCK_SIZE',
  'FILE_SIZE',
  'ALLOCATED_SIZE',
];
const MYSQL_80_COLUMNS = [
  'SPACE',
  'NAME',
  'FLAG',
  'ROW_FORMAT',
  'PAGE_SIZE',
  'ZIP_PAGE_SIZE',
  'SPACE_TYPE',
  'FS_BLOCK_SIZE',
  'FILE_SIZE',
  'ALLOCATED_SIZE',
  'AUTOEXTEND_SIZE',
  'SERVER_VERSION',
  'SPACE_VERSION',
  'ENCRYPTION',
  'STATE',
];
const SELECTED = ['SPACE', 'NAME', 'FILE_FORMAT', 'ROW_FORMAT', 'SPACE_TYPE', 'FILE_SIZE', 'ALLOCATED_SIZE'];

test('the MariaDB fixture has neither FILE_FORMAT nor SPACE_TYPE, and the statement does not ask for them', () => {
  const cols = mariadbColumns();
  assert.ok(cols.includes('FILE_SIZE') && cols.includes('FILENAME'));
  const d = detectTablespaceShape('INNODB_SYS_TABLESPACES', cols);
  assert.ok(d.ok);
  assert.deepEqual(d.shape, { table: 'INNODB_SYS_TABLESPACES', fileFormat: false, spaceType: false });
  assert.equal(
    tablespacesSql(d.shape),
    'SELECT SPACE, NAME, NULL AS FILE_FORMAT, ROW_FORMAT, NULL AS SPACE_TYPE, FILE_SIZE, ALLOCATED_SIZE FROM information_schema.INNODB_SYS_TABLESPACES ORDER BY FILE_SIZE DESC, NAME',
  );
});

test('MariaDB 10.11: NULL row format and the absent columns become NONE', async () => {
  const db = new FakeDb([
    [/LIMIT 0$/, result(mariadbColumns(), [])],
    [
      /ORDER BY FILE_SIZE DESC, NAME$/,
      result(SELECTED, [
        [0, 'innodb_system', null, null, null, '12582912', '12582912'],
        [5, 'shop/orders', null, 'Dynamic', null, '98304', '65536'],
      ]),
    ],
  ]);
  const fams = await expectSuccess(buildCollector(infoSchemaInnodbTablespaces), MARIADB_1011(), db);
  assert.equal(db.sent[0]!.sql, probeSql('INNODB_SYS_TABLESPACES'));
  assert.deepEqual(db.sent[1]!.params, []);
  const info = requireFamily(fams, 'mysql_info_schema_innodb_tablespace_space_info');
  assert.equal(
    seriesValue(info, {
      tablespace_name: 'shop/orders',
      file_format: 'NONE',
      row_format: 'Dynamic',
      space_type: 'NONE',
    }),
    5,
  );
  assert.equal(
    seriesValue(info, {
      tablespace_name: 'innodb_system',
      file_format: 'NONE',
      row_format: 'NONE',
      space_type: 'NONE',
    }),
    0,
  );
  assert.equal(
    seriesValue(requireFamily(fams, 'mysql_info_schema_innodb_tablespace_file_size_bytes'), {
      tablespace_name: 'shop/orders',
    }),
    98304,
  );
  assert.equal(
    seriesValue(requireFamily(fams, 'mysql_info_schema_innodb_tablespace_allocated_size_bytes'), {
      tablespace_name: 'shop/orders',
    }),
    65536,
  );
});

test('MySQL 5.7 reads INNODB_SYS_TABLESPACES with FILE_FORMAT and SPACE_TYPE values', async () => {
  const db = new FakeDb([
    [/LIMIT 0$/, result(MYSQL_57_COLUMNS, [])],
    [
      /ORDER BY FILE_SIZE DESC, NAME$/,
      result(SELECTED, [[23, 'shop/orders', 'Barracuda', 'Dynamic', 'Single', '114688', '114688']]),
    ],
  ]);
  const fams = await expectSuccess(buildCollector(infoSchemaInnodbTablespaces), MYSQL_57(), db);
  assert.match(
    db.sent[1]!.sql,
    /SELECT SPACE, NAME, FILE_FORMAT, ROW_FORMAT, SPACE_TYPE, .*\.INNODB_SYS_TABLESPACES ORDER BY/,
  );
  const info = requireFamily(fams, 'mysql_info_schema_innodb_tablespace_space_info');
  assert.equal(
    seriesValue(info, {
      tablespace_name: 'shop/orders',
      file_format: 'Barracuda',
      row_format: 'Dynamic',
      space_type: 'Single',
    }),
    23,
  );
});

test('MySQL 8.0 reads INNODB_TABLESPACES without FILE_FORMAT; detection is cached per target', async () => {
  const db = new FakeDb([
    [/LIMIT 0$/, result(MYSQL_80_COLUMNS, [])],
    [
      /ORDER BY FILE_SIZE DESC, NAME$/,
      result(SELECTED, [[4294967294, 'mysql', null, 'Any', 'General', '25165824', '25165824']]),
    ],
  ]);
  const c = buildCollector(infoSchemaInnodbTablespaces);
  const fams = await expectSuccess(c, MYSQL_80(), db);
  await expectSuccess(c, MYSQL_80(), db);
  assert.equal(db.sent[0]!.sql, probeSql('INNODB_TABLESPACES'));
  assert.match(
    db.sent[1]!.sql,
    /NULL AS FILE_FORMAT, ROW_FORMAT, SPACE_TYPE, .*\.INNODB_TABLESPACES ORDER BY FILE_SIZE DESC/,
  );
  assert.equal(db.sent.filter((s) => /LIMIT 0$/.test(s.sql)).length, 1);
  assert.equal(db.sent.length, 3);
  assert.equal(
    seriesValue(requireFamily(fams, 'mysql_info_schema_innodb_tablespace_space_info'), {
      tablespace_name: 'mysql',
      file_format: 'NONE',
      row_format: 'Any',
      space_type: 'General',
    }),
    4294967294,
  );
});

test('a table without FILE_SIZE fails with one reason, and later scrapes run no statement', async () => {
  const db = new FakeDb([[/LIMIT 0$/, result(['SPACE', 'NAME', 'FLAG', 'ROW_FORMAT'], [])]]);
  const c = buildCollector(infoSchemaInnodbTablespaces);
  const first = await expectFailure(c, MARIADB_1011(), db);
  assert.match(first, /INNODB_SYS_TABLESPACES has no FILE_SIZE, ALLOCATED_SIZE column/);
  const second = await expectFailure(c, MARIADB_1011(), db);
  assert.equal(second, first);
  assert.equal(db.sent.length, 1);
});

test('a failed probe (no PROCESS privilege) is not cached', async () => {
  let denied = true;
  const db = new FakeDb([
    [
      /LIMIT 0$/,
      () => {
        if (denied) throw new Error('Access denied; you need (at least one of) the PROCESS privilege(s)');
        return result(MYSQL_80_COLUMNS, []);
      },
    ],
    [/ORDER BY FILE_SIZE DESC, NAME$/, result(SELECTED, [])],
  ]);
  const c = buildCollector(infoSchemaInnodbTablespaces);
  assert.match(await expectFailure(c, MYSQL_80(), db), /PROCESS privilege/);
  denied = false;
  assert.deepEqual(
    (await expectSuccess(c, MYSQL_80(), db)).map((f) => f.name),
    ['mysql_exporter_collector_rows_dropped'],
  );
});

test('max_series: the first (largest) tablespaces that fit are served, the rest counted', async () => {
  const db = new FakeDb([
    [/LIMIT 0$/, result(MYSQL_80_COLUMNS, [])],
    [
      /ORDER BY FILE_SIZE DESC, NAME$/,
      result(SELECTED, [
        [1, 'a', null, 'Dynamic', 'Single', 9, 9],
        [2, 'b', null, 'Dynamic', 'Single', 1, 1],
      ]),
    ],
  ]);
  const fams = await expectSuccess(
    buildCollector(infoSchemaInnodbTablespaces, ['--collect.info_schema.innodb_tablespaces.max_series=3']),
    MYSQL_80(),
    db,
  );
  assert.deepEqual(
    requireFamily(fams, 'mysql_info_schema_innodb_tablespace_space_info').samples.map(
      (x) => x.labels.tablespace_name,
    ),
    ['a'],
  );
  assert.equal(
    seriesValue(requireFamily(fams, 'mysql_exporter_collector_rows_dropped'), {
      collector: 'collect.info_schema.innodb_tablespaces',
    }),
    1,
  );
});

test('MySQL 5.6 and MariaDB 10.1 run no query', async () => {
  for (const s of [server('5.6.51'), server('10.1.48-MariaDB')]) {
    const db = new FakeDb([]);
    assert.equal(await scrapeOutcome(buildCollector(infoSchemaInnodbTablespaces), s, db), undefined);
    assert.equal(db.sent.length, 0);
  }
});
