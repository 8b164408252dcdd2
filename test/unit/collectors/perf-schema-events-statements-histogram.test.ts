/**
 * MySQL 8's events_statements_histogram_global. No MySQL 8 server runs here and no captured copy of
 * the whole table was found, so the rows are synthesized from the server's documented construction
 * (pfs_histogram.cc: 450 buckets; bound 1 = 10 us = 10^7 ps; bound N+1 = 1.0471285480508996 x
 * bound N, truncated to whole picoseconds; the last bucket open, its high bound the largest
 * ulonglong), and checked against the rows printed in MySQL's manual (buckets 42-44).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nativeBound, nativeIndex } from '../../../src/collectors/native-buckets.js';
import {
  STATEMENTS_HISTOGRAM_METRIC,
  mapStatementsHistogram,
  perfSchemaEventsStatementsHistogram,
} from '../../../src/collectors/perf-schema-events-statements-histogram.js';
import type { Row } from '../../../src/model/rows.js';
import { FakeDb, MARIADB_1011, MYSQL_80, context, result } from '../../helpers/fixtures.js';
import { mysqlHistogramTimers } from '../../helpers/mysql8-captures.js';

const ULONGLONG_MAX = '18446744073709551615';
const timers = mysqlHistogramTimers;

/** The table's rows for the given per-bucket counts (bucket number -> count). */
function rows(counts: ReadonlyMap<number, number>, sumPs: string): Row[] {
  const t = timers();
  const columns = ['BUCKET_NUMBER', 'BUCKET_TIMER_HIGH', 'COUNT_BUCKET', 'SUM_TIMER_WAIT'];
  const cells = t.map((_, n) => [
    String(n),
    n === 449 ? ULONGLONG_MAX : String(t[n + 1]),
    String(counts.get(n) ?? 0),
    sumPs,
  ]);
  return [...result(columns, cells).rows];
}

test("the synthesized bounds are the server's (the manual's rows 42-44)", () => {
  const t = timers();
  assert.deepEqual([t[42], t[43], t[44], t[45]], [66069344, 69183097, 72443596, 75857757]);
});

// 3 statements under 10 us, 5 in bucket 42 (66-69 us), 2 in bucket 200 (~9.5 ms), 1 in the open bucket.
const COUNTS = new Map([
  [0, 3],
  [42, 5],
  [200, 2],
  [449, 1],
]);
const SUM_PS = '5000000000000'; // 5 s

test('classic: every 10th bound, exact cumulative counts, +Inf and _count = all rows, _sum from the summary', () => {
  const f = mapStatementsHistogram(rows(COUNTS, SUM_PS));
  assert.ok(f);
  assert.equal(f.name, STATEMENTS_HISTOGRAM_METRIC);
  assert.equal(f.type, 'histogram');
  const buckets = f.samples.filter((s) => s.suffix === '_bucket');
  assert.equal(buckets.length, 45 + 1);
  // Bounds in Go's float format (as mysqld_exporter prints `le`): bucket 0 closes at 10 us, bucket 40
  // at timer[41] = 63095734 ps, bucket 50 at timer[51] = 10^8 ps; cumulative counts exact there.
  assert.deepEqual(buckets[0], { suffix: '_bucket', labels: { le: '1e-05' }, value: 3 });
  assert.deepEqual(buckets[4], { suffix: '_bucket', labels: { le: '6.3095734e-05' }, value: 3 });
  assert.deepEqual(buckets[5], { suffix: '_bucket', labels: { le: '0.0001' }, value: 8 });
  assert.equal(buckets[20]?.value, 10, 'bucket 200 counted by le=timer[201]');
  assert.equal(buckets[19]?.value, 8);
  assert.deepEqual(buckets[45], { suffix: '_bucket', labels: { le: '+Inf' }, value: 11 });
  assert.equal(f.samples.find((s) => s.suffix === '_count')?.value, 11);
  assert.equal(f.samples.find((s) => s.suffix === '_sum')?.value, 5);
});

test('native: schema 4, zero bucket [0, 10 us], one native bucket per server bucket, open bucket above', () => {
  const f = mapStatementsHistogram(rows(COUNTS, SUM_PS));
  const h = f?.native?.[0];
  assert.ok(h);
  const t = timers();
  assert.equal(h.schema, 4);
  assert.equal(h.zeroThreshold, 1e-5);
  assert.equal(h.zeroCount, 3);
  assert.equal(h.count, 11);
  assert.equal(h.sum, 5);
  const i42 = nativeIndex(4, t[43]! / 1e12);
  const i200 = nativeIndex(4, t[201]! / 1e12);
  const iLast = nativeIndex(4, t[449]! / 1e12);
  assert.deepEqual(h.positive, [
    { index: i42, count: 5 },
    { index: i200, count: 2 },
    { index: iLast + 1, count: 1 },
  ]);
  // The native bucket holding bucket 42's bound starts above bucket 41's bound: no overlap.
  assert.ok(nativeBound(4, i42 - 1) >= t[42]! / 1e12);
  assert.ok(nativeBound(4, i42) >= t[43]! / 1e12);
});

test('collector: one statement on MySQL 8, with the native histogram; none on MariaDB', async () => {
  const answer = result(
    ['BUCKET_NUMBER', 'BUCKET_TIMER_HIGH', 'COUNT_BUCKET', 'SUM_TIMER_WAIT'],
    rows(COUNTS, SUM_PS).map((r) => [
      r.BUCKET_NUMBER!,
      r.BUCKET_TIMER_HIGH!,
      r.COUNT_BUCKET!,
      r.SUM_TIMER_WAIT!,
    ]),
  );
  const db = new FakeDb([[/events_statements_histogram_global/, answer]]);
  const c = perfSchemaEventsStatementsHistogram.create(new Map());
  assert.equal(c.supports(MYSQL_80()), true);
  assert.equal(c.supports(MARIADB_1011()), false);
  const fams = await c.collect(context(db, MYSQL_80()));
  assert.equal(db.sent.length, 1);
  assert.match(db.sent[0]!.sql, /events_statements_summary_global_by_event_name/);
  assert.equal(fams.length, 1);
  // Always computed; only protobuf responses with --exporter.native_histograms send it.
  assert.equal(fams[0]?.native?.[0]?.schema, 4);
});

test('an empty table (performance_schema off): nothing', () => {
  assert.equal(mapStatementsHistogram([]), undefined);
});
