/**
 * Fixture: the MariaDB test suite's `show columns from information_schema.client_statistics` and one
 * row of its selected values (the columns that row lacks are filled with 0 here). Percona's
 * client_statistics has the user_statistics columns; the Percona `SHOW USER_STATISTICS` capture is
 * reused with its key column renamed to CLIENT.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { infoSchemaClientstats } from '../../../src/collectors/info-schema-clientstats.js';
import { CLIENT_STATISTICS_SQL } from '../../../src/collectors/info-schema-userstats.js';
import type { Cell, QueryResult } from '../../../src/model/rows.js';
import { FakeDb, loadTsv, MARIADB_1011, MYSQL_80, PERCONA_80, result } from '../../helpers/fixtures.js';
import {
  buildCollector,
  expectFailure,
  expectSuccess,
  familyNames,
  scrapeOutcome,
} from '../../helpers/collector-under-test.js';
import { requireFamily, seriesValue } from '../../helpers/samples.js';

const PREFIX = 'mysql_info_schema_client_statistics_';

function db(stats: QueryResult, userstat = 'ON'): FakeDb {
  return new FakeDb([
    [/SHOW GLOBAL VARIABLES/, result(['Variable_name', 'Value'], [['userstat', userstat]])],
    [/information_schema\.client_statistics/, stats],
  ]);
}

function mariadbTestsuite(): QueryResult {
  const columns = loadTsv('mariadb-testsuite/show-columns.information_schema.client_statistics.tsv').rows.map(
    (r) => String(r.Field),
  );
  const values = loadTsv('mariadb-testsuite/information_schema.client_statistics.selected-columns.tsv')
    .rows[0]!;
  return result(columns, [columns.map((c): Cell => (c === 'CLIENT' ? 'localhost' : (values[c] ?? '0')))]);
}

test('MariaDB client_statistics: every column known, client label, MAX_STATEMENT_TIME_EXCEEDED is a counter', async () => {
  const d = db(mariadbTestsuite());
  const fams = await expectSuccess(buildCollector(infoSchemaClientstats), MARIADB_1011(), d);
  assert.equal(d.sent[1]!.sql, CLIENT_STATISTICS_SQL);
  assert.deepEqual(d.sent[1]!.params, [10001]);
  assert.equal(fams.length, 24);
  assert.ok(!fams.some((f) => f.type === 'untyped'));
  assert.equal(requireFamily(fams, `${PREFIX}max_statement_time_exceeded_total`).type, 'counter');
  assert.equal(seriesValue(requireFamily(fams, `${PREFIX}total_connections`), { client: 'localhost' }), 2);
  assert.equal(seriesValue(requireFamily(fams, `${PREFIX}rows_inserted_total`), { client: 'localhost' }), 7);
  assert.equal(
    seriesValue(requireFamily(fams, `${PREFIX}rollback_transactions_total`), { client: 'localhost' }),
    2,
  );
  assert.equal(requireFamily(fams, `${PREFIX}concurrent_connections`).type, 'gauge');
});

test('Percona shape: ROWS_FETCHED and TABLE_ROWS_READ known', async () => {
  const src = loadTsv('percona-server-8.0.29/show-user-statistics.tsv');
  const stats = result(
    ['Client', ...src.columns.slice(1)],
    src.rows.map((r) => src.columns.map((c) => r[c] ?? null)),
  );
  const fams = await expectSuccess(buildCollector(infoSchemaClientstats), PERCONA_80(), db(stats));
  assert.equal(fams.length, 21);
  assert.ok(familyNames(fams).every((n) => n.startsWith(PREFIX)));
  assert.equal(
    seriesValue(requireFamily(fams, `${PREFIX}table_rows_read_total`), { client: 'root' }),
    114633,
  );
});

test('userstat OFF: nothing emitted', async () => {
  const d = db(result(['x'], []), 'OFF');
  assert.deepEqual(await expectSuccess(buildCollector(infoSchemaClientstats), MARIADB_1011(), d), []);
  assert.equal(d.sent.length, 1);
});

test('max_series applies per collector', async () => {
  const d = db(mariadbTestsuite());
  assert.match(
    await expectFailure(
      buildCollector(infoSchemaClientstats, ['--collect.info_schema.clientstats.max_series=10']),
      MARIADB_1011(),
      d,
    ),
    /info_schema\.clientstats: more than 10 series/,
  );
});

test('Oracle MySQL runs no query', async () => {
  const d = new FakeDb([]);
  assert.equal(await scrapeOutcome(buildCollector(infoSchemaClientstats), MYSQL_80(), d), undefined);
  assert.equal(d.sent.length, 0);
});
