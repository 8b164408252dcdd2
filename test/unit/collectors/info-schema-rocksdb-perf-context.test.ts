import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ROCKSDB_STATS,
  infoSchemaRocksdbPerfContext,
} from '../../../src/collectors/info-schema-rocksdb-perf-context.js';
import { CollectorError, QueryError } from '../../../src/errors.js';
import {
  FakeDb,
  MARIADB_1011,
  MYSQL_57,
  MYSQL_80,
  MYSQL_84,
  PERCONA_80,
  context,
  result,
  server,
} from '../../helpers/fixtures.js';
import { buildCollector, scrapeOutcome, validSeriesCount } from '../../helpers/collector-under-test.js';
import { requireFamily, seriesValue } from '../../helpers/samples.js';

const COLUMNS = ['TABLE_SCHEMA', 'TABLE_NAME', 'PARTITION_NAME', 'STAT_TYPE', 'VALUE'];

test('the 23 stat types of the reference', () => {
  assert.equal(ROCKSDB_STATS.length, 23);
});

// Rows built from the documented ROCKSDB_PERF_CONTEXT columns (no capture exists in the fixtures).
test('Percona Server: one counter per stat type labelled schema/table/part', async () => {
  const db = new FakeDb([
    [
      /ROCKSDB_PERF_CONTEXT/,
      result(COLUMNS, [
        ['shop', 'orders', '', 'USER_KEY_COMPARISON_COUNT', '1500'],
        ['shop', 'orders', 'p1', 'BLOCK_READ_BYTE', '65536'],
        ['shop', 'orders', '', 'IO_BYTES_READ', null],
        ['shop', 'orders', '', 'GET_SNAPSHOT_TIME', '9'],
      ]),
    ],
  ]);
  const outcome = await scrapeOutcome(buildCollector(infoSchemaRocksdbPerfContext), PERCONA_80(), db);
  assert.equal(outcome?.success, true, outcome?.error);
  const fams = outcome!.families;
  const cmp = requireFamily(fams, 'mysql_info_schema_rocksdb_perf_context_user_key_comparison_count');
  assert.equal(cmp.type, 'counter');
  assert.equal(seriesValue(cmp, { schema: 'shop', table: 'orders', part: '' }), 1500);
  assert.equal(
    seriesValue(requireFamily(fams, 'mysql_info_schema_rocksdb_perf_context_block_read_byte'), {
      schema: 'shop',
      table: 'orders',
      part: 'p1',
    }),
    65536,
  );
  assert.equal(fams.length, 2);
  const params = db.sent[0]!.params;
  assert.equal(params.length, 24);
  assert.ok(params.includes('BLOCK_CACHE_HIT_COUNT'));
  assert.equal(params.at(-1), 10001);
  validSeriesCount(fams);
});

test('max_series caps the rows loaded and fails cleanly', async () => {
  const rows = ['a', 'b', 'c', 'd'].map((t) => ['s', t, '', 'BLOCK_READ_COUNT', '1']);
  const db = new FakeDb([[/ROCKSDB_PERF_CONTEXT/, result(COLUMNS, rows)]]);
  const c = buildCollector(infoSchemaRocksdbPerfContext, [
    '--collect.info_schema.rocksdb_perf_context.max_series=3',
  ]);
  await assert.rejects(c.collect(context(db, MARIADB_1011())), CollectorError);
  assert.equal(db.sent[0]!.params.at(-1), 4);
});

test('where MyRocks can exist but is not loaded: one statement, one clear reason', async () => {
  const err = new QueryError(
    "ER_UNKNOWN_TABLE: Unknown table 'ROCKSDB_PERF_CONTEXT' in information_schema",
    'ER_UNKNOWN_TABLE',
  );
  const db = new FakeDb([[/ROCKSDB/, err]]);
  await assert.rejects(
    buildCollector(infoSchemaRocksdbPerfContext).collect(context(db, MARIADB_1011())),
    (e: unknown) => {
      assert.ok(e instanceof CollectorError);
      assert.match(
        e.message,
        /^MyRocks is not loaded on this server .*--collect\.info_schema\.rocksdb_perf_context$/,
      );
      return true;
    },
  );
  assert.equal(db.sent.length, 1);
});

test('servers without MyRocks builds run no query (Oracle MySQL, old MariaDB/Percona)', async () => {
  const old = [server('10.1.48-MariaDB'), server('5.6.51-91.0', 'Percona Server (GPL), Release 91.0')];
  for (const info of [MYSQL_57(), MYSQL_80(), MYSQL_84(), ...old]) {
    const db = new FakeDb([]);
    assert.equal(
      await scrapeOutcome(buildCollector(infoSchemaRocksdbPerfContext), info, db),
      undefined,
      info.versionString,
    );
    assert.equal(db.sent.length, 0);
  }
});
