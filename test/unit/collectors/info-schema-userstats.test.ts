/**
 * Fixtures: MariaDB 10.8.4 and Percona Server 8.0.29 `SHOW USER_STATISTICS` (the same table as
 * information_schema.user_statistics, with mixed-case column names), and the MariaDB test suite's
 * column list plus one row of selected values; the columns that row lacks are filled with 0 here.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  infoSchemaUserstats,
  USER_STATISTICS_SQL,
  USERSTAT_GATE_SQL,
} from '../../../src/collectors/info-schema-userstats.js';
import type { Cell, QueryResult } from '../../../src/model/rows.js';
import {
  FakeDb,
  loadTsv,
  MARIADB_1011,
  MYSQL_80,
  MYSQL_84,
  PERCONA_80,
  result,
  server,
} from '../../helpers/fixtures.js';
import {
  buildCollector,
  expectFailure,
  expectSuccess,
  familyNames,
  scrapeOutcome,
} from '../../helpers/collector-under-test.js';
import { requireFamily, seriesValue } from '../../helpers/samples.js';

const GATE_ON = result(['Variable_name', 'Value'], [['userstat', 'ON']]);
const PREFIX = 'mysql_info_schema_user_statistics_';

function db(stats: QueryResult, gate: QueryResult = GATE_ON): FakeDb {
  return new FakeDb([
    [/SHOW GLOBAL VARIABLES/, gate],
    [/information_schema\.user_statistics/, stats],
  ]);
}

/** The MariaDB test-suite column list, with the captured selected values (0 for the others). */
function mariadbTestsuite(): QueryResult {
  const columns = loadTsv('mariadb-testsuite/show-columns.information_schema.user_statistics.tsv').rows.map(
    (r) => String(r.Field),
  );
  const values = loadTsv('mariadb-testsuite/information_schema.user_statistics.selected-columns.tsv')
    .rows[0]!;
  return result(columns, [columns.map((c): Cell => (c === 'USER' ? 'foo' : (values[c] ?? '0')))]);
}

test('MariaDB 10.8.4: known columns under the reference names and types, user label', async () => {
  const d = db(loadTsv('mariadb-10.8.4/show-user-statistics.tsv'));
  const fams = await expectSuccess(buildCollector(infoSchemaUserstats), MARIADB_1011(), d);
  assert.deepEqual(
    d.sent.map((s) => [s.sql, s.params]),
    [
      [USERSTAT_GATE_SQL, []],
      [USER_STATISTICS_SQL, [10001]],
    ],
  );
  assert.equal(fams.length, 24);
  const total = requireFamily(fams, `${PREFIX}total_connections`);
  assert.equal(total.type, 'counter');
  assert.equal(seriesValue(total, { user: 'netdata' }), 1);
  assert.equal(requireFamily(fams, `${PREFIX}concurrent_connections`).type, 'gauge');
  assert.equal(
    seriesValue(requireFamily(fams, `${PREFIX}connected_time_seconds_total`), { user: 'netdata' }),
    32,
  );
  assert.equal(
    seriesValue(requireFamily(fams, `${PREFIX}busy_seconds_total`), { user: 'netdata' }),
    0.09262200000000004,
  );
  assert.equal(
    seriesValue(requireFamily(fams, `${PREFIX}cpu_time_seconds_total`), { user: 'root' }),
    0.0001541,
  );
  assert.equal(seriesValue(requireFamily(fams, `${PREFIX}bytes_sent_total`), { user: 'netdata' }), 105432);
  assert.equal(
    seriesValue(requireFamily(fams, `${PREFIX}denied_connections_total`), { user: 'netdata' }),
    49698,
  );
  assert.equal(seriesValue(requireFamily(fams, `${PREFIX}empty_queries_total`), { user: 'netdata' }), 66);
  assert.equal(seriesValue(requireFamily(fams, `${PREFIX}total_ssl_connections_total`), { user: 'root' }), 0);
  // Not in mysqld_exporter's user_statistics list: untyped under the lowercased column name.
  const unknown = requireFamily(fams, `${PREFIX}max_statement_time_exceeded`);
  assert.equal(unknown.type, 'untyped');
  assert.equal(seriesValue(unknown, { user: 'root' }), 0);
});

test('Percona Server 8.0.29: ROWS_FETCHED and TABLE_ROWS_READ are known columns', async () => {
  const fams = await expectSuccess(
    buildCollector(infoSchemaUserstats),
    PERCONA_80(),
    db(loadTsv('percona-server-8.0.29/show-user-statistics.tsv')),
  );
  assert.equal(fams.length, 21);
  assert.ok(familyNames(fams).every((n) => n.startsWith(PREFIX)));
  assert.ok(!fams.some((f) => f.type === 'untyped'));
  assert.equal(seriesValue(requireFamily(fams, `${PREFIX}table_rows_read_total`), { user: 'root' }), 114633);
  assert.equal(seriesValue(requireFamily(fams, `${PREFIX}rows_fetched_total`), { user: 'netdata' }), 1);
  assert.equal(
    seriesValue(requireFamily(fams, `${PREFIX}connected_time_seconds_total`), { user: 'root' }),
    1843013485340.5564,
  );
});

test('MariaDB test-suite columns (upper case, as information_schema returns them)', async () => {
  const fams = await expectSuccess(
    buildCollector(infoSchemaUserstats),
    MARIADB_1011(),
    db(mariadbTestsuite()),
  );
  assert.equal(fams.length, 24);
  assert.equal(seriesValue(requireFamily(fams, `${PREFIX}update_commands_total`), { user: 'foo' }), 11);
  assert.equal(seriesValue(requireFamily(fams, `${PREFIX}commit_transactions_total`), { user: 'foo' }), 19);
  assert.equal(seriesValue(requireFamily(fams, `${PREFIX}total_ssl_connections_total`), { user: 'foo' }), 1);
});

test('NULL and non-numeric cells are skipped', async () => {
  const stats = result(
    ['USER', 'TOTAL_CONNECTIONS', 'BUSY_TIME', 'SOMETHING_NEW'],
    [['a', null, 'n/a', '5']],
  );
  const fams = await expectSuccess(buildCollector(infoSchemaUserstats), MARIADB_1011(), db(stats));
  assert.deepEqual(fams, [
    {
      name: `${PREFIX}something_new`,
      help: 'Unsupported metric from column SOMETHING_NEW',
      type: 'untyped',
      samples: [{ labels: { user: 'a' }, value: 5 }],
    },
  ]);
});

test('userstat OFF: nothing emitted, the statistics table is not read', async () => {
  for (const off of ['OFF', '0']) {
    const d = db(result(['x'], []), result(['Variable_name', 'Value'], [['userstat', off]]));
    assert.deepEqual(await expectSuccess(buildCollector(infoSchemaUserstats), MARIADB_1011(), d), []);
    assert.equal(d.sent.length, 1);
  }
  const running = db(
    loadTsv('percona-server-8.0.29/show-user-statistics.tsv'),
    result(['Variable_name', 'Value'], [['userstat_running', 'ON']]),
  );
  assert.equal((await expectSuccess(buildCollector(infoSchemaUserstats), PERCONA_80(), running)).length, 21);
});

test('no userstat variable: one statement and a clear reason', async () => {
  const d = db(result(['x'], []), result(['Variable_name', 'Value'], []));
  assert.match(
    await expectFailure(buildCollector(infoSchemaUserstats), PERCONA_80(), d),
    /no userstat variable/,
  );
  assert.equal(d.sent.length, 1);
});

test('max_series: series beyond the cap fail the collector', async () => {
  const d = db(loadTsv('mariadb-10.8.4/show-user-statistics.tsv'));
  const err = await expectFailure(
    buildCollector(infoSchemaUserstats, ['--collect.info_schema.userstats.max_series=30']),
    MARIADB_1011(),
    d,
  );
  assert.deepEqual(d.sent[1]!.params, [31]);
  assert.match(err, /more than 30 series \(2 users\)/);
  const rows = await expectFailure(
    buildCollector(infoSchemaUserstats, ['--collect.info_schema.userstats.max_series=1']),
    MARIADB_1011(),
    d,
  );
  assert.match(rows, /more than 1 series \(2\+ users\)/);
});

test('Oracle MySQL (no user statistics) and unknown servers run no query', async () => {
  for (const s of [MYSQL_80(), MYSQL_84(), server('5.7.44')]) {
    const d = new FakeDb([]);
    assert.equal(await scrapeOutcome(buildCollector(infoSchemaUserstats), s, d), undefined);
    assert.equal(d.sent.length, 0);
  }
});
