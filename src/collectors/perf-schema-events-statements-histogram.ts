/**
 * `perf_schema.events_statements_histogram`: MySQL 8's global statement latency histogram
 * (performance_schema.events_statements_histogram_global, MySQL 8.0.1+): 450 buckets, the first
 * [0, 10 us), then each bound 10^(1/50) times the previous (pfs_histogram.cc), the last one open.
 *
 * Classic histogram (always): every 10th server bound (10 us, 15.8 us, 25.1 us, ... a factor
 * 10^(1/5) apart: 45 bounds, up to about 1.6e4 s), so the series set stays small and fixed; the
 * cumulative counts at those bounds are exact.
 * Native histogram (sent in protobuf with --exporter.native_histograms): all 449 finite bounds,
 * schema 4 (native-buckets.ts).
 * The table has no sum: `_sum` is SUM_TIMER_WAIT over the statement events of
 * events_statements_summary_global_by_event_name, read in the same statement (the same statements
 * feed both tables; the two are not read atomically).
 */
import type { MetricFamily, Sample } from '../model/metrics.js';
import type { Row } from '../model/rows.js';
import { parseNumber } from '../model/values.js';
import { defineCollector } from './collector-def.js';
import { type ServerBucket, toNativeHistogram } from './native-buckets.js';
import { formatGoFloat } from './query-response-time.js';

export const STATEMENTS_HISTOGRAM_SQL =
  'SELECT BUCKET_NUMBER, BUCKET_TIMER_HIGH, COUNT_BUCKET,' +
  ' (SELECT SUM(SUM_TIMER_WAIT) FROM performance_schema.events_statements_summary_global_by_event_name) AS SUM_TIMER_WAIT' +
  ' FROM performance_schema.events_statements_histogram_global ORDER BY BUCKET_NUMBER';

export const STATEMENTS_HISTOGRAM_METRIC = 'mysql_perf_schema_events_statements_latency_seconds';
const HELP = 'Latency of all statements, from performance_schema.events_statements_histogram_global.';

const PICO = 1e12;
/** Classic buckets: the bound of every CLASSIC_EVERY-th server bucket. */
export const CLASSIC_EVERY = 10;
/** BUCKET_TIMER_HIGH of the last, open bucket is far beyond any real latency (it is "infinite"). */
const OPEN_BOUND_PS = 1e18;

/** Rows (BUCKET_NUMBER, BUCKET_TIMER_HIGH, COUNT_BUCKET, SUM_TIMER_WAIT) -> the histogram family. */
export function mapStatementsHistogram(rows: readonly Row[]): MetricFamily | undefined {
  const server: ServerBucket[] = [];
  let overflow = 0;
  let sumPs = 0;
  const ordered = rows
    .map((r) => ({
      n: parseNumber(r.BUCKET_NUMBER),
      high: parseNumber(r.BUCKET_TIMER_HIGH),
      count: parseNumber(r.COUNT_BUCKET),
      sum: parseNumber(r.SUM_TIMER_WAIT),
    }))
    .filter((r) => r.n !== undefined && r.high !== undefined && r.count !== undefined && r.count >= 0)
    .sort((a, b) => (a.n ?? 0) - (b.n ?? 0));
  if (ordered.length === 0) return undefined;
  const samples: Sample[] = [];
  let cumulative = 0;
  let previous = 0;
  for (const r of ordered) {
    const high = r.high ?? 0;
    const count = r.count ?? 0;
    sumPs = r.sum ?? sumPs;
    if (high >= OPEN_BOUND_PS || high <= previous) {
      overflow += count;
      continue;
    }
    previous = high;
    cumulative += count;
    server.push({ upper: high / PICO, count });
    if ((r.n ?? 0) % CLASSIC_EVERY === 0)
      samples.push({ suffix: '_bucket', labels: { le: formatGoFloat(high / PICO) }, value: cumulative });
  }
  const total = cumulative + overflow;
  const sum = sumPs / PICO;
  samples.push({ suffix: '_bucket', labels: { le: '+Inf' }, value: total });
  samples.push({ suffix: '_sum', labels: {}, value: sum });
  samples.push({ suffix: '_count', labels: {}, value: total });
  const family: MetricFamily = { name: STATEMENTS_HISTOGRAM_METRIC, help: HELP, type: 'histogram', samples };
  const h = toNativeHistogram({}, server, overflow, sum);
  return h === undefined ? family : { ...family, native: [h] };
}

export const perfSchemaEventsStatementsHistogram = defineCollector({
  name: 'perf_schema.events_statements_histogram',
  help: 'Collect the global statement latency histogram from performance_schema.events_statements_histogram_global (MySQL 8.0+).',
  enabledByDefault: false,
  supports: { mysql: '>=8.0' },
  collect: () => async (ctx) => {
    const res = await ctx.db.query(STATEMENTS_HISTOGRAM_SQL);
    const f = mapStatementsHistogram(res.rows);
    return f ? [f] : [];
  },
});
