import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  formatGoFloat,
  mapResponseTimeHistogram,
  PLUGINS_TTL_MS,
  QRT_PLUGINS_SQL,
  QRT_TABLES,
  qrtCollect,
  qrtTableSql,
  queryResponseTimeCollector,
} from '../../../src/collectors/query-response-time.js';
import type { ServerInfo } from '../../../src/model/server-info.js';
import { DeadlineError, QueryError } from '../../../src/errors.js';
import { PROMETHEUS_CONTENT_TYPE, render } from '../../../src/exposition/render.js';
import type { MetricFamily } from '../../../src/model/metrics.js';
import type { QueryResult } from '../../../src/model/rows.js';
import { validateFamilies } from '../../../src/scrape/validate.js';
import {
  context,
  FakeDb,
  loadTsv,
  MARIADB_1011,
  MYSQL_57,
  MYSQL_80,
  QRT_RANGE_BASE_10_LES,
  PERCONA_80,
  type Responder,
  result,
  server,
  scrapeOnce,
} from '../../helpers/fixtures.js';

const MAIN = 'mysql_info_schema_query_response_time_seconds';
const READ = 'mysql_info_schema_read_query_response_time_seconds';
const WRITE = 'mysql_info_schema_write_query_response_time_seconds';

/**
 * MariaDB test-suite output of the plugin with range_base=10 (test/fixtures/README.md). The SHOW form has
 * nonzero counts (24 in the 1e-06 bucket, 11 in 1, 11 in 10); the I_S form is the same table after FLUSH
 * (all zero). Both have the right-aligned TIME/TOTAL text and the `TOO LONG` row; the collector reads
 * columns by position, so the SHOW form's `Time Count Total` header serves as the I_S result.
 */
const NONZERO = () => loadTsv('mariadb-testsuite/show-query_response_time.range_base-10.tsv');
const ZERO = () => loadTsv('mariadb-testsuite/information_schema.query_response_time.range_base-10.tsv');

/** The plugin lookup's one row: the active QRT plugins, comma-separated (NULL for none). */
const plugins = (...names: string[]) => result(['plugins'], [[names.length > 0 ? names.join(',') : null]]);
/** What a table statement returns while query_response_time_stats is OFF. */
const NO_ROWS = () => result(['TIME', 'COUNT', 'TOTAL'], []);

const table = (plugin: string) => QRT_TABLES.find((t) => t.plugin === plugin)!;
const sqlOf = (plugin: string) => qrtTableSql(table(plugin));
const exact = (sql: string) => new RegExp(`^${sql.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

function fakeDb(answers: {
  plugins: Responder;
  main?: Responder;
  read?: Responder;
  write?: Responder;
}): FakeDb {
  const list: Array<[RegExp, Responder]> = [[exact(QRT_PLUGINS_SQL), answers.plugins]];
  if (answers.main) list.push([exact(sqlOf('QUERY_RESPONSE_TIME')), answers.main]);
  if (answers.read) list.push([exact(sqlOf('QUERY_RESPONSE_TIME_READ')), answers.read]);
  if (answers.write) list.push([exact(sqlOf('QUERY_RESPONSE_TIME_WRITE')), answers.write]);
  return new FakeDb(list);
}

async function collect(db: FakeDb, info: ServerInfo = MARIADB_1011()): Promise<MetricFamily[]> {
  const families = await queryResponseTimeCollector.create(new Map()).collect(context(db, info));
  validateFamilies(families, 100_000);
  return families;
}

const buckets = (f: MetricFamily | undefined) =>
  f?.samples.filter((s) => s.suffix === '_bucket').map((s) => [s.labels.le, s.value]);
const part = (f: MetricFamily | undefined, suffix: '_sum' | '_count') =>
  f?.samples.find((s) => s.suffix === suffix)?.value;

const LES = QRT_RANGE_BASE_10_LES;

describe('gate: active plugins (cached per target), query_response_time_stats in each statement', () => {
  test('stats OFF: the table statement returns no rows -> nothing emitted', async () => {
    const db = fakeDb({ plugins: plugins('QUERY_RESPONSE_TIME'), main: NO_ROWS() });
    assert.deepEqual(await collect(db), []);
    assert.deepEqual(
      db.sent.map((s) => s.sql),
      [QRT_PLUGINS_SQL, sqlOf('QUERY_RESPONSE_TIME')],
    );
    assert.match(sqlOf('QUERY_RESPONSE_TIME'), / WHERE @@query_response_time_stats$/);
  });

  test('no plugin (NULL), or the lookup refused by the server -> nothing emitted, success', async () => {
    const none = fakeDb({ plugins: plugins() });
    assert.deepEqual(await collect(none), []);
    assert.equal(none.sent.length, 1);
    const refused = fakeDb({
      plugins: new QueryError('SELECT command denied', 'ER_TABLEACCESS_DENIED_ERROR'),
    });
    assert.deepEqual(await collect(refused), []);
    assert.equal(refused.sent.length, 1);
  });

  test('a lost connection or a deadline is a failure, not "plugin missing"', async () => {
    const lost = fakeDb({ plugins: new QueryError('Connection lost', 'PROTOCOL_CONNECTION_LOST') });
    await assert.rejects(collect(lost), QueryError);
    const late = fakeDb({ plugins: new DeadlineError('deadline exceeded') });
    await assert.rejects(collect(late), DeadlineError);
  });

  test('the plugin list is read once per target per PLUGINS_TTL_MS, and again after the main table fails', async () => {
    let clock = 0;
    const run = qrtCollect(() => clock);
    const db = fakeDb({ plugins: plugins('QUERY_RESPONSE_TIME'), main: NONZERO() });
    const on = (targetKey: string) => run({ ...context(db, MARIADB_1011()), targetKey });
    const lookups = () => db.sent.filter((s) => s.sql === QRT_PLUGINS_SQL).length;
    await on('a:3306');
    await on('a:3306');
    clock += PLUGINS_TTL_MS - 1;
    await on('a:3306');
    assert.equal(lookups(), 1, 'one lookup within the TTL');
    await on('b:3306');
    assert.equal(lookups(), 2, 'each target has its own');
    clock += 1;
    await on('a:3306');
    assert.equal(lookups(), 3, 'looked up again after the TTL');
    assert.equal(
      db.sent.filter((s) => s.sql === sqlOf('QUERY_RESPONSE_TIME')).length,
      5,
      'the table every time',
    );

    const gone = fakeDb({
      plugins: plugins('QUERY_RESPONSE_TIME'),
      main: new QueryError("Unknown table 'QUERY_RESPONSE_TIME'", 'ER_UNKNOWN_TABLE'),
    });
    const run2 = qrtCollect(() => clock);
    await assert.rejects(run2({ ...context(gone, MARIADB_1011()), targetKey: 'a:3306' }), QueryError);
    await assert.rejects(run2({ ...context(gone, MARIADB_1011()), targetKey: 'a:3306' }), QueryError);
    assert.equal(
      gone.sent.filter((s) => s.sql === QRT_PLUGINS_SQL).length,
      2,
      'a failing table drops the cache',
    );
  });
});

describe('histograms', () => {
  test('MariaDB 10.11 (only QUERY_RESPONSE_TIME): one histogram, cumulative buckets, no _READ/_WRITE query', async () => {
    const db = fakeDb({ plugins: plugins('QUERY_RESPONSE_TIME'), main: NONZERO() });
    const families = await collect(db);
    assert.deepEqual(
      db.sent.map((s) => s.sql),
      [QRT_PLUGINS_SQL, sqlOf('QUERY_RESPONSE_TIME')],
    );
    assert.deepEqual(
      families.map((f) => [f.name, f.type]),
      [[MAIN, 'histogram']],
    );
    const f = families[0];
    assert.equal(f?.help, 'The number of all queries by duration they took to execute.');
    // Per-bucket counts in the file: 24 at 0.000001, 11 at 1.000000, 11 at 10.000000, 0 elsewhere, TOO LONG 0.
    const cumulative = [24, 24, 24, 24, 24, 24, 35, 46, 46, 46, 46, 46, 46];
    assert.deepEqual(buckets(f), [...LES.map((le, i) => [le, cumulative[i]]), ['+Inf', 46]]);
    assert.equal(part(f, '_count'), 46);
    // TOTAL column: 4.050000 + 25.700000 seconds.
    assert.ok(Math.abs((part(f, '_sum') ?? 0) - 29.75) < 1e-9);
  });

  test('Percona Server 5.7 style (all three tables): three histograms', async () => {
    const db = fakeDb({
      plugins: plugins('QUERY_RESPONSE_TIME', 'QUERY_RESPONSE_TIME_READ', 'QUERY_RESPONSE_TIME_WRITE'),
      main: NONZERO(),
      read: NONZERO(),
      write: ZERO(),
    });
    const families = await collect(db, MYSQL_57());
    assert.deepEqual(
      families.map((f) => f.name),
      [MAIN, READ, WRITE],
    );
    const write = families[2];
    assert.equal(write?.help, 'The number of write queries by duration they took to execute.');
    assert.deepEqual(buckets(write), [...LES.map((le) => [le, 0]), ['+Inf', 0]]);
    assert.equal(part(write, '_sum'), 0);
    assert.equal(part(families[1], '_count'), 46);
  });

  test('a _READ table that fails with a server error is skipped; a failing main table fails the collector', async () => {
    const unknown = new QueryError("Unknown table 'QUERY_RESPONSE_TIME_READ'", 'ER_UNKNOWN_TABLE');
    const families = await collect(
      fakeDb({
        plugins: plugins('QUERY_RESPONSE_TIME', 'QUERY_RESPONSE_TIME_READ'),
        main: NONZERO(),
        read: unknown,
      }),
    );
    assert.deepEqual(
      families.map((f) => f.name),
      [MAIN],
    );
    await assert.rejects(
      collect(fakeDb({ plugins: plugins('QUERY_RESPONSE_TIME'), main: unknown })),
      QueryError,
    );
  });

  test('the TOO LONG row only adds to +Inf and _count; unparseable COUNT rows are skipped', () => {
    const f = mapResponseTimeHistogram(
      result(
        ['TIME', 'COUNT', 'TOTAL'],
        [
          ['      0.000001', 2, '      0.000001'],
          ['      1.000000', '3', '      1.500000'],
          ['     10.000000', null, '      9.000000'],
          ['TOO LONG', 4, 'TOO LONG'],
        ],
      ),
      MAIN,
      'h',
    );
    assert.deepEqual(buckets(f), [
      ['1e-06', 2],
      ['1', 5],
      ['+Inf', 9],
    ]);
    assert.equal(part(f, '_count'), 9);
    assert.equal(part(f, '_sum'), 1.500001);
  });

  test('exposition: le="1e-06" ... le="+Inf", and +Inf equals _count', async () => {
    const f = mapResponseTimeHistogram(
      NONZERO(),
      MAIN,
      'The number of all queries by duration they took to execute.',
    );
    const text = await render([f], PROMETHEUS_CONTENT_TYPE);
    assert.match(text, /^# TYPE mysql_info_schema_query_response_time_seconds histogram$/m);
    assert.match(text, /^mysql_info_schema_query_response_time_seconds_bucket\{le="1e-06"\} 24$/m);
    assert.match(text, /^mysql_info_schema_query_response_time_seconds_bucket\{le="1e\+06"\} 46$/m);
    assert.match(text, /^mysql_info_schema_query_response_time_seconds_bucket\{le="\+Inf"\} 46$/m);
    assert.match(text, /^mysql_info_schema_query_response_time_seconds_count 46$/m);
  });
});

test("formatGoFloat matches Go's strconv.FormatFloat(f, 'g', -1, 64)", () => {
  const cases: Array<[number, string]> = [
    [0.000001, '1e-06'],
    [0.00001, '1e-05'],
    [0.0001, '0.0001'],
    [0.001, '0.001'],
    [0.1, '0.1'],
    [1, '1'],
    [10, '10'],
    [100000, '100000'],
    [1000000, '1e+06'],
    [1.5e-7, '1.5e-07'],
    [0.00025, '0.00025'],
    [123456789, '1.23456789e+08'],
    [0.1 + 0.2, '0.30000000000000004'],
    [2.5, '2.5'],
    [1e21, '1e+21'],
    [1e100, '1e+100'],
    [-0.000001, '-1e-06'],
    [0, '0'],
    [Number.POSITIVE_INFINITY, '+Inf'],
  ];
  for (const [f, want] of cases) assert.equal(formatGoFloat(f), want, String(f));
});

test('supported on MariaDB and MySQL/Percona 5.5-5.7 only; MySQL 8.0+ runs no query', async () => {
  assert.equal(queryResponseTimeCollector.name, 'info_schema.query_response_time');
  assert.equal(queryResponseTimeCollector.enabledByDefault, true);
  const collector = queryResponseTimeCollector.create(new Map());
  assert.equal(collector.supports(MARIADB_1011()), true);
  assert.equal(collector.supports(MYSQL_57()), true);
  assert.equal(collector.supports(server('5.6.51-91.0', 'Percona Server (GPL), Release 91.0')), true);
  assert.equal(collector.supports(server('5.1.73', '')), false);
  assert.equal(collector.supports(PERCONA_80()), false);
  for (const info of [MYSQL_80(), PERCONA_80()]) {
    const db = new FakeDb([]);
    const res = await scrapeOnce(collector, info, db);
    assert.deepEqual(res.outcomes, []);
    assert.deepEqual(db.sent, []);
  }
});

test('QueryResult shapes from the driver (COUNT as a number) work too', () => {
  const res: QueryResult = {
    columns: ['TIME', 'COUNT', 'TOTAL'],
    rows: [
      { TIME: '      0.000001', COUNT: 3, TOTAL: '      0.000000' },
      { TIME: 'TOO LONG', COUNT: 0, TOTAL: 'TOO LONG' },
    ],
  };
  assert.deepEqual(buckets(mapResponseTimeHistogram(res, MAIN, 'h')), [
    ['1e-06', 3],
    ['+Inf', 3],
  ]);
});
