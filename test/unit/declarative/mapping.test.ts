/** Rows -> metric families through a declarative collector, against a recording FakeDb. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createQueryCollector } from '../../../src/declarative/collector.js';
import { QueryError } from '../../../src/errors.js';
import type { LogFields, Logger } from '../../../src/log/logger.js';
import type { MetricFamily } from '../../../src/model/metrics.js';
import { validateFamilies } from '../../../src/scrape/validate.js';
import {
  context,
  FakeDb,
  MARIADB_1011,
  MYSQL_57,
  MYSQL_80,
  PERCONA_80,
  result,
} from '../../helpers/fixtures.js';
import { specOf } from './helpers.js';
import { findFamily } from '../../helpers/samples.js';

const samples = (fs: readonly MetricFamily[], name: string) =>
  findFamily(fs, name)?.samples.map((s) => [s.labels, s.value] as const) ?? [];

function recordingLogger(): Logger & { lines: Array<[string, LogFields | undefined]> } {
  const lines: Array<[string, LogFields | undefined]> = [];
  const l: Logger & { lines: typeof lines } = {
    lines,
    debug: (msg, fields) => lines.push([msg, fields]),
    info: () => {},
    warn: () => {},
    error: () => {},
    child: () => l,
    enabled: () => true,
  };
  return l;
}

const IO = specOf(`name: perf_schema.example
help: Table I/O.
sql: SELECT OBJECT_SCHEMA, OBJECT_NAME, COUNT_FETCH, COUNT_INSERT, SUM_TIMER_FETCH, SUM_TIMER_INSERT FROM x
metrics:
  - name: mysql_example_io_waits_total
    help: Waits.
    type: counter
    labels: {schema: OBJECT_SCHEMA, name: OBJECT_NAME}
    value_label: operation
    values: {fetch: COUNT_FETCH, insert: COUNT_INSERT}
    static_labels: {source: perf}
  - name: mysql_example_io_waits_seconds_total
    help: Time.
    type: counter
    labels: {schema: OBJECT_SCHEMA, name: OBJECT_NAME}
    value_label: operation
    values: [SUM_TIMER_FETCH, SUM_TIMER_INSERT]
    scale: 1e-12
`);

test('labels (renamed), values with value_label, static labels and scale', async () => {
  const db = new FakeDb([
    [
      /FROM x/,
      result(
        [
          'OBJECT_SCHEMA',
          'OBJECT_NAME',
          'COUNT_FETCH',
          'COUNT_INSERT',
          'SUM_TIMER_FETCH',
          'SUM_TIMER_INSERT',
        ],
        [['db1', 't1', '10', 2, '3000000000000', '500000000000']],
      ),
    ],
  ]);
  const c = createQueryCollector(IO, { selfMetrics: false });
  const fs = await c.collect(context(db, MYSQL_80()));
  assert.deepEqual(samples(fs, 'mysql_example_io_waits_total'), [
    [{ source: 'perf', schema: 'db1', name: 't1', operation: 'fetch' }, 10],
    [{ source: 'perf', schema: 'db1', name: 't1', operation: 'insert' }, 2],
  ]);
  assert.deepEqual(samples(fs, 'mysql_example_io_waits_seconds_total'), [
    [{ schema: 'db1', name: 't1', operation: 'SUM_TIMER_FETCH' }, 3],
    [{ schema: 'db1', name: 't1', operation: 'SUM_TIMER_INSERT' }, 0.5],
  ]);
  assert.equal(findFamily(fs, 'mysql_example_io_waits_total')?.type, 'counter');
  assert.equal(validateFamilies(fs, 100), 4);
  assert.equal(db.sent.length, 1);
});

test('NULL values are skipped silently, NULL labels become "", non-numeric strings are skipped with a debug log', async () => {
  const spec = specOf(`name: custom.values
help: Values.
sql: SELECT k, v FROM t
metrics:
  - name: mysql_custom_value
    help: V.
    type: gauge
    labels: [k]
    value: v
`);
  const rows: Array<[string | null, string | number | bigint | null]> = [
    ['null', null],
    [null, '7'],
    ['empty', ''],
    ['word', 'abc'],
    ['suffix', '12abc'],
    ['spaces', ' 42 '],
    ['hex', '0x1A'],
    ['huge', '1e309'],
    ['inf', 'Infinity'],
    ['nan', 'NaN'],
    ['on', 'ON'],
    ['negzero', '-0'],
    ['neg', '-44798456'],
    ['u64', '18446744073709551615'],
    ['decimal', '12345678901234567890.123456789012345678901234567890'],
    ['bigint', 9007199254740993n],
    ['float', 1.5],
  ];
  const db = new FakeDb([[/FROM t/, result(['k', 'v'], rows)]]);
  const log = recordingLogger();
  const c = createQueryCollector(spec, { selfMetrics: false });
  const fs = await c.collect({ ...context(db, MARIADB_1011()), log });
  assert.deepEqual(samples(fs, 'mysql_custom_value'), [
    [{ k: '' }, 7],
    [{ k: 'negzero' }, -0],
    [{ k: 'neg' }, -44798456],
    [{ k: 'u64' }, 2 ** 64],
    [{ k: 'decimal' }, Number('12345678901234567890.123456789')],
    [{ k: 'bigint' }, 9007199254740992],
    [{ k: 'float' }, 1.5],
  ]);
  const skipped = log.lines.find(([msg]) => msg === 'non-numeric values skipped');
  assert.ok(skipped);
  assert.equal(skipped[1]?.count, 9);
  assert.equal(skipped[1]?.columns, 'v');
  assert.ok(!JSON.stringify(log.lines).includes('abc'), 'values are not logged');
  validateFamilies(fs, 100);
});

test('value_map turns text into numbers; unmapped text falls back to numbers, else is skipped', async () => {
  const spec = specOf(`name: custom.members
help: Members.
sql: SELECT MEMBER_HOST, MEMBER_STATE FROM m
metrics:
  - name: mysql_custom_member_state
    help: State.
    type: gauge
    labels: {host: MEMBER_HOST}
    value: MEMBER_STATE
    value_map: {ONLINE: 1, RECOVERING: 2, OFFLINE: 3}
`);
  const db = new FakeDb([
    [
      /FROM m/,
      result(
        ['MEMBER_HOST', 'MEMBER_STATE'],
        [
          ['a', 'ONLINE'],
          ['b', 'RECOVERING'],
          ['c', 'online'],
          ['d', '5'],
          ['e', null],
        ],
      ),
    ],
  ]);
  const fs = await createQueryCollector(spec, { selfMetrics: false }).collect(context(db, MYSQL_80()));
  assert.deepEqual(samples(fs, 'mysql_custom_member_state'), [
    [{ host: 'a' }, 1],
    [{ host: 'b' }, 2],
    [{ host: 'd' }, 5],
  ]);
});

test('result columns match case-insensitively (MySQL 8.0 upper-cases information_schema columns)', async () => {
  const spec = specOf(`name: custom.case
help: Case.
sql: SELECT page_size, compress_ops FROM information_schema.innodb_cmp
metrics:
  - name: mysql_custom_compress_ops_total
    help: Ops.
    type: counter
    labels: [page_size]
    value: compress_ops
`);
  const db = new FakeDb([[/innodb_cmp/, result(['PAGE_SIZE', 'COMPRESS_OPS'], [[1024, '3']])]]);
  const fs = await createQueryCollector(spec, { selfMetrics: false }).collect(context(db, MYSQL_80()));
  assert.deepEqual(samples(fs, 'mysql_custom_compress_ops_total'), [[{ page_size: '1024' }, 3]]);
});

test('a column missing from the real result fails the collector with the columns it has', async () => {
  const spec = specOf(`name: custom.star
help: Star.
sql: SELECT * FROM t
metrics:
  - name: mysql_custom_v
    help: V.
    type: gauge
    labels: [k]
    value: v
`);
  const db = new FakeDb([[/FROM t/, result(['k', 'value'], [['a', 1]])]]);
  await assert.rejects(createQueryCollector(spec).collect(context(db, MYSQL_80())), {
    name: 'CollectorError',
    message: /the result has no column v \(it has: k, value\)/,
  });
});

test('over max_rows the first rows are served, the rest counted; one log line per change of state', async () => {
  const spec = specOf(`name: custom.rows
help: Rows.
max_rows: 3
sql: SELECT k, v FROM t ORDER BY v DESC
metrics:
  - name: mysql_custom_v
    help: V.
    type: gauge
    labels: [k]
    value: v
`);
  const rows = Array.from({ length: 5 }, (_, i) => [`k${i}`, 10 - i] as const);
  let served = rows;
  const db = new FakeDb([[/FROM t/, () => result(['k', 'v'], served)]]);
  const lines: Array<[string, string, LogFields | undefined]> = [];
  const log: Logger = {
    debug: () => {},
    info: (msg, fields) => lines.push(['info', msg, fields]),
    warn: (msg, fields) => lines.push(['warn', msg, fields]),
    error: (msg, fields) => lines.push(['error', msg, fields]),
    child: () => log,
    enabled: () => true,
  };
  const c = createQueryCollector(spec);
  const collect = () => c.collect({ ...context(db, MYSQL_80()), log });
  // The statement runs as written (no wrapper), with the cap for the driver to apply on the stream.
  let fs = await collect();
  assert.equal(db.sent[0]!.sql, 'SELECT k, v FROM t ORDER BY v DESC');
  assert.deepEqual(samples(fs, 'mysql_custom_v'), [
    [{ k: 'k0' }, 10],
    [{ k: 'k1' }, 9],
    [{ k: 'k2' }, 8],
  ]);
  assert.deepEqual(samples(fs, 'mysql_exporter_collector_rows_dropped'), [
    [{ collector: 'collect.custom.rows' }, 2],
  ]);
  fs = await collect();
  fs = await collect();
  assert.deepEqual(
    lines.map(([level, msg, f]) => [level, msg, f?.collector, f?.dropped]),
    [['warn', 'row limit reached: serving a subset', 'custom.rows', '2']],
  );
  served = rows.slice(0, 3);
  fs = await collect();
  assert.deepEqual(samples(fs, 'mysql_exporter_collector_rows_dropped'), [
    [{ collector: 'collect.custom.rows' }, 0],
  ]);
  assert.equal(lines.length, 2);
  assert.deepEqual(lines[1]?.slice(0, 2), ['info', 'row limit no longer reached']);
});

test('the label-length cap fails that collector without echoing the value', async () => {
  const spec = specOf(`name: custom.labels
help: Labels.
max_label_length: 8
sql: SELECT k, v FROM t
metrics:
  - name: mysql_custom_v
    help: V.
    type: gauge
    labels: [k]
    value: v
`);
  const db = new FakeDb([[/FROM t/, result(['k', 'v'], [['secret-long-value', 1]])]]);
  await assert.rejects(createQueryCollector(spec).collect(context(db, MYSQL_80())), (err: Error) => {
    assert.match(
      err.message,
      /label k of mysql_custom_v is 17 characters long, more than max_label_length \(8\)/,
    );
    assert.ok(!err.message.includes('secret'));
    return true;
  });
});

test('the first SQL variant that supports the server runs; supports() gates flavors (percona narrows mysql)', async () => {
  const spec = specOf(`name: custom.variants
help: Variants.
supports: {mysql: ">=5.7", percona: ">=8.0", mariadb: ">=10.5"}
sql:
  - supports: {mysql: ">=8.0"}
    sql: SELECT 8 AS v
  - sql: SELECT 5 AS v
metrics:
  - name: mysql_custom_v
    help: V.
    type: gauge
    value: v
`);
  const c = createQueryCollector(spec, { selfMetrics: false });
  assert.equal(c.supports(MYSQL_57()), true);
  assert.equal(c.supports(MYSQL_80()), true);
  assert.equal(c.supports(PERCONA_80()), true);
  assert.equal(c.supports(MARIADB_1011()), true);
  assert.equal(c.supports({ ...PERCONA_80(), version: { major: 5, minor: 7, patch: 40 } }), false);
  const db = new FakeDb([
    [/SELECT 8/, result(['v'], [[8]])],
    [/SELECT 5/, result(['v'], [[5]])],
  ]);
  assert.equal((await c.collect(context(db, MYSQL_80())))[0]?.samples[0]?.value, 8);
  assert.equal((await c.collect(context(db, MYSQL_57())))[0]?.samples[0]?.value, 5);
  assert.equal((await c.collect(context(db, MARIADB_1011())))[0]?.samples[0]?.value, 5);
});

test('missing_table: empty exports nothing when the table does not exist; other errors still fail', async () => {
  const spec = specOf(`name: custom.aurora
help: Aurora.
missing_table: empty
sql: SELECT SERVER_ID, CPU FROM information_schema.replica_host_status
metrics:
  - name: mysql_custom_cpu
    help: CPU.
    type: gauge
    labels: {server_id: SERVER_ID}
    value: CPU
`);
  const missing = new FakeDb([
    [/replica_host_status/, new QueryError('ER_UNKNOWN_TABLE: Unknown table', 'ER_UNKNOWN_TABLE')],
  ]);
  const c = createQueryCollector(spec);
  const fs = await c.collect(context(missing, MYSQL_80()));
  assert.deepEqual(
    fs.map((f) => f.name),
    [
      'mysql_exporter_query_duration_seconds',
      'mysql_exporter_query_rows',
      'mysql_exporter_query_errors_total',
      'mysql_exporter_collector_rows_dropped',
    ],
  );
  assert.equal(missing.sent.length, 1);
  const denied = new FakeDb([
    [
      /replica_host_status/,
      new QueryError('ER_TABLEACCESS_DENIED_ERROR: denied', 'ER_TABLEACCESS_DENIED_ERROR'),
    ],
  ]);
  await assert.rejects(c.collect(context(denied, MYSQL_80())), {
    name: 'CollectorError',
    message: /query failed: ER_TABLEACCESS_DENIED_ERROR/,
  });
});

test('a failing query is a CollectorError with the cause; errors are counted per target', async () => {
  const spec = specOf(`name: custom.fail
help: Fail.
sql: SELECT v FROM t
metrics:
  - name: mysql_custom_v
    help: V.
    type: gauge
    value: v
`);
  let fail = true;
  const db = new FakeDb([
    [
      /FROM t/,
      () => {
        if (fail) throw new QueryError('ER_NO_SUCH_TABLE: no', 'ER_NO_SUCH_TABLE');
        return result(['v'], [[1]]);
      },
    ],
  ]);
  const c = createQueryCollector(spec);
  await assert.rejects(c.collect(context(db, MYSQL_80())), (err: Error) => err.cause instanceof QueryError);
  await assert.rejects(c.collect(context(db, MYSQL_80())));
  fail = false;
  const fs = await c.collect(context(db, MYSQL_80()));
  assert.deepEqual(samples(fs, 'mysql_exporter_query_errors_total'), [
    [{ collector: 'collect.custom.fail' }, 2],
  ]);
  assert.deepEqual(samples(fs, 'mysql_exporter_query_rows'), [[{ collector: 'collect.custom.fail' }, 1]]);
  const other = await c.collect({ ...context(db, MYSQL_80()), targetKey: 'other:3306' });
  assert.deepEqual(samples(other, 'mysql_exporter_query_errors_total'), [
    [{ collector: 'collect.custom.fail' }, 0],
  ]);
});

test('timeout becomes the collector timeoutMs; name, help and enabledByDefault come from the file', () => {
  const spec = specOf(`name: custom.t
help: T.
enabled_by_default: false
timeout: 1500ms
sql: SELECT 1 AS v
metrics:
  - name: mysql_custom_t
    help: T.
    type: gauge
    value: v
`);
  const c = createQueryCollector(spec);
  assert.equal(c.timeoutMs, 1500);
  assert.equal(c.name, 'custom.t');
  assert.equal(c.help, 'T.');
  assert.equal(c.enabledByDefault, false);
  const noTimeout = specOf(
    'name: custom.u\nhelp: U.\nsql: SELECT 1 AS v\nmetrics:\n  - {name: mysql_u, help: U., type: gauge, value: v}\n',
  );
  assert.equal('timeoutMs' in createQueryCollector(noTimeout), false);
});

test('families without samples are left out', async () => {
  const db = new FakeDb([
    [
      /FROM x/,
      result(
        [
          'OBJECT_SCHEMA',
          'OBJECT_NAME',
          'COUNT_FETCH',
          'COUNT_INSERT',
          'SUM_TIMER_FETCH',
          'SUM_TIMER_INSERT',
        ],
        [],
      ),
    ],
  ]);
  const fs = await createQueryCollector(IO, { selfMetrics: false }).collect(context(db, MYSQL_80()));
  assert.deepEqual(fs, []);
});
