import assert from 'node:assert/strict';
import { test } from 'node:test';
import { perfSchemaFileInstances } from '../../../src/collectors/perf-schema-file-instances.js';
import type { QueryResult } from '../../../src/model/rows.js';
import { FakeDb, MARIADB_1011, MYSQL_80, context, result, server } from '../../helpers/fixtures.js';
import { buildCollector, scrapeOutcome, validSeriesCount } from '../../helpers/collector-under-test.js';
import { requireFamily, seriesValue } from '../../helpers/samples.js';

const COLUMNS = [
  'FILE_NAME',
  'EVENT_NAME',
  'COUNT_READ',
  'COUNT_WRITE',
  'SUM_NUMBER_OF_BYTES_READ',
  'SUM_NUMBER_OF_BYTES_WRITE',
];

// Rows built from the documented file_summary_by_instance columns (same names on MySQL and MariaDB;
// MariaDB 10.11's list was checked on the local server). The two db.opt rows are the shape of
// mysqld_exporter #203: one file, two open instances.
const ROWS: QueryResult = result(COLUMNS, [
  ['/var/lib/mysql/ibdata1', 'wait/io/file/innodb/innodb_data_file', '120', '30', '1966080', '491520'],
  ['/var/lib/mysql/shop/db.opt', 'wait/io/file/sql/dbopt', '2', '0', '130', '0'],
  ['/var/lib/mysql/shop/db.opt', 'wait/io/file/sql/dbopt', '3', '1', '195', '65'],
  ['/usr/share/mysql/charsets/Index.xml', 'wait/io/file/mysys/charset', '1', '0', '24291', '0'],
]);

test('prefix removed, duplicate (file, event) rows summed, read/write modes', async () => {
  for (const info of [MYSQL_80(), MARIADB_1011()]) {
    const db = new FakeDb([[/file_summary_by_instance/, ROWS]]);
    const outcome = await scrapeOutcome(buildCollector(perfSchemaFileInstances), info, db);
    assert.equal(outcome?.success, true, outcome?.error);
    const fams = outcome!.families;
    const total = requireFamily(fams, 'mysql_perf_schema_file_instances_total');
    const bytes = requireFamily(fams, 'mysql_perf_schema_file_instances_bytes');
    assert.equal(total.type, 'counter');
    assert.equal(bytes.type, 'counter');
    const ib = { file_name: 'ibdata1', event_name: 'wait/io/file/innodb/innodb_data_file' };
    assert.equal(seriesValue(total, { ...ib, mode: 'read' }), 120);
    assert.equal(seriesValue(total, { ...ib, mode: 'write' }), 30);
    assert.equal(seriesValue(bytes, { ...ib, mode: 'read' }), 1966080);
    assert.equal(seriesValue(bytes, { ...ib, mode: 'write' }), 491520);
    const opt = { file_name: 'shop/db.opt', event_name: 'wait/io/file/sql/dbopt' };
    assert.equal(seriesValue(total, { ...opt, mode: 'read' }), 5);
    assert.equal(seriesValue(total, { ...opt, mode: 'write' }), 1);
    assert.equal(seriesValue(bytes, { ...opt, mode: 'read' }), 325);
    const other = {
      file_name: '/usr/share/mysql/charsets/Index.xml',
      event_name: 'wait/io/file/mysys/charset',
    };
    assert.equal(seriesValue(bytes, { ...other, mode: 'read' }), 24291);
    assert.equal(total.samples.length, 6);
    validSeriesCount(fams);
  }
});

test('flags: filter is a bound parameter, an empty remove_prefix keeps full paths', async () => {
  const db = new FakeDb([[/file_summary_by_instance/, ROWS]]);
  const c = buildCollector(perfSchemaFileInstances, [
    "--collect.perf_schema.file_instances.filter=^/var/lib/mysql/sh'op",
    '--collect.perf_schema.file_instances.remove_prefix=',
  ]);
  const fams = await c.collect(context(db, MYSQL_80()));
  assert.equal(db.sent[0]!.params[0], "^/var/lib/mysql/sh'op");
  assert.doesNotMatch(db.sent[0]!.sql, /sh'op/);
  const total = requireFamily(fams, 'mysql_perf_schema_file_instances_total');
  assert.equal(
    seriesValue(total, {
      file_name: '/var/lib/mysql/ibdata1',
      event_name: 'wait/io/file/innodb/innodb_data_file',
      mode: 'read',
    }),
    120,
  );
  const defaults = new FakeDb([[/file_summary_by_instance/, ROWS]]);
  await buildCollector(perfSchemaFileInstances).collect(context(defaults, MYSQL_80()));
  assert.deepEqual(defaults.sent[0]!.params, ['.*']);
  assert.match(defaults.sent[0]!.sql, /ORDER BY SUM_NUMBER_OF_BYTES_READ \+ SUM_NUMBER_OF_BYTES_WRITE DESC/);
});

test('NULL counters are skipped; an empty table is a success with no families', async () => {
  const db = new FakeDb([
    [
      /file_summary_by_instance/,
      result(COLUMNS, [['/var/lib/mysql/x', 'wait/io/file/sql/FRM', null, '4', null, '9']]),
    ],
  ]);
  const fams = await buildCollector(perfSchemaFileInstances).collect(context(db, MARIADB_1011()));
  const total = requireFamily(fams, 'mysql_perf_schema_file_instances_total');
  assert.deepEqual(
    total.samples.map((s) => s.labels.mode),
    ['write'],
  );
  validSeriesCount(fams);
  const empty = new FakeDb([[/file_summary_by_instance/, result(COLUMNS, [])]]);
  assert.deepEqual(
    (await buildCollector(perfSchemaFileInstances).collect(context(empty, MARIADB_1011()))).map(
      (f) => f.name,
    ),
    ['mysql_exporter_collector_rows_dropped'],
  );
});

test('max_series: the first cap/4 rows (busiest first) are served, the rest counted', async () => {
  const db = new FakeDb([[/file_summary_by_instance/, ROWS]]);
  const c = buildCollector(perfSchemaFileInstances, ['--collect.perf_schema.file_instances.max_series=8']);
  const fams = await c.collect(context(db, MYSQL_80()));
  const served = new Set(
    requireFamily(fams, 'mysql_perf_schema_file_instances_total').samples.map((s) => s.labels.file_name),
  );
  const first = ROWS.rows.slice(0, 2).map((r) => String(r.FILE_NAME).replace('/var/lib/mysql/', ''));
  assert.deepEqual([...served].sort(), [...new Set(first)].sort());
  assert.equal(
    seriesValue(requireFamily(fams, 'mysql_exporter_collector_rows_dropped'), {
      collector: 'collect.perf_schema.file_instances',
    }),
    ROWS.rows.length - 2,
  );
});

test('unsupported servers run no query', async () => {
  const db = new FakeDb([]);
  assert.equal(
    await scrapeOutcome(
      buildCollector(perfSchemaFileInstances),
      server('5.1.73', 'MySQL Community Server (GPL)'),
      db,
    ),
    undefined,
  );
  assert.equal(db.sent.length, 0);
});
