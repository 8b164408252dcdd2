/**
 * `info_schema.query_response_time`: the query response time histograms of the QUERY_RESPONSE_TIME plugin.
 * Source: information_schema.PLUGINS, then the QUERY_RESPONSE_TIME tables that are active.
 * Not a query file: the output is a histogram built from cumulative buckets, and the tables read depend
 * on the active plugins.
 */
import { QueryError } from '../errors.js';
import { labelValue, parseNumber } from '../model/values.js';
import type { CollectContext } from '../model/collector.js';
import type { MetricFamily, Sample } from '../model/metrics.js';
import type { QueryResult } from '../model/rows.js';
import { Lru, PER_TARGET_MAX } from '../lru.js';
import { defineCollector } from './collector-def.js';
import { type ServerBucket, toNativeHistogram } from './native-buckets.js';

interface QrtTable {
  readonly plugin: string;
  readonly sql: string;
  readonly metric: string;
  readonly help: string;
  /** mysqld_exporter fails the scrape only when the main table fails. */
  readonly required: boolean;
}

export const QRT_TABLES: readonly QrtTable[] = [
  {
    plugin: 'QUERY_RESPONSE_TIME',
    sql: 'SELECT TIME, COUNT, TOTAL FROM INFORMATION_SCHEMA.QUERY_RESPONSE_TIME',
    metric: 'mysql_info_schema_query_response_time_seconds',
    help: 'The number of all queries by duration they took to execute.',
    required: true,
  },
  {
    plugin: 'QUERY_RESPONSE_TIME_READ',
    sql: 'SELECT TIME, COUNT, TOTAL FROM INFORMATION_SCHEMA.QUERY_RESPONSE_TIME_READ',
    metric: 'mysql_info_schema_read_query_response_time_seconds',
    help: 'The number of read queries by duration they took to execute.',
    required: false,
  },
  {
    plugin: 'QUERY_RESPONSE_TIME_WRITE',
    sql: 'SELECT TIME, COUNT, TOTAL FROM INFORMATION_SCHEMA.QUERY_RESPONSE_TIME_WRITE',
    metric: 'mysql_info_schema_write_query_response_time_seconds',
    help: 'The number of write queries by duration they took to execute.',
    required: false,
  },
];

/** Which of the QRT plugins are active; read at most every PLUGINS_TTL_MS per target. */
export const QRT_PLUGINS_SQL = `SELECT GROUP_CONCAT(PLUGIN_NAME) AS plugins FROM information_schema.PLUGINS WHERE PLUGIN_STATUS = 'ACTIVE' AND PLUGIN_NAME IN (${QRT_TABLES.map((t) => `'${t.plugin}'`).join(', ')})`;

/**
 * A table's statement with mysqld_exporter's gate folded in: no rows while
 * `query_response_time_stats` is OFF, so the gate costs no round trip of its own.
 */
export const qrtTableSql = (t: QrtTable) => `${t.sql} WHERE @@query_response_time_stats`;

/** Plugins come and go with INSTALL/UNINSTALL PLUGIN: re-read every 5 minutes, and after a failure. */
export const PLUGINS_TTL_MS = 5 * 60_000;

/** Go's strconv.FormatFloat(f, 'g', -1, 64): shortest digits; exponent form below 1e-4 and from 1e6. */
export function formatGoFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Number.POSITIVE_INFINITY) return '+Inf';
  if (f === Number.NEGATIVE_INFINITY) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mantissa = '', expText = '0'] = f.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const abs = Math.abs(exp);
    return `${mantissa}e${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
  }
  // Decimal notation: JavaScript prints shortest digits without an exponent for 1e-7 <= |f| < 1e21.
  return String(f);
}

/**
 * Rows (TIME, COUNT, TOTAL) -> one histogram family. A row whose TIME is not a number (`TOO LONG`) is
 * the overflow bucket. A row whose COUNT does not parse is skipped entirely. The family also carries
 * the same observations as a native histogram (native-buckets.ts), which only protobuf responses
 * with --exporter.native_histograms send.
 */
export function mapResponseTimeHistogram(res: QueryResult, metric: string, help: string): MetricFamily {
  const [timeCol, countCol, totalCol] = res.columns;
  const buckets = new Map<number, number>();
  let count = 0;
  let sum = 0;
  for (const row of res.rows) {
    const n = parseNumber(countCol === undefined ? undefined : row[countCol]);
    if (n === undefined || n < 0) continue;
    count += n;
    const total = parseNumber(labelValue(totalCol === undefined ? undefined : row[totalCol]).trim());
    if (total !== undefined) sum += total;
    const le = parseNumber(labelValue(timeCol === undefined ? undefined : row[timeCol]).trim());
    if (le !== undefined) buckets.set(le, (buckets.get(le) ?? 0) + n);
  }
  const samples: Sample[] = [];
  const server: ServerBucket[] = [];
  let cumulative = 0;
  for (const le of [...buckets.keys()].sort((a, b) => a - b)) {
    const n = buckets.get(le) ?? 0;
    cumulative += n;
    samples.push({ suffix: '_bucket', labels: { le: formatGoFloat(le) }, value: cumulative });
    if (le > 0) server.push({ upper: le, count: n });
  }
  samples.push({ suffix: '_bucket', labels: { le: '+Inf' }, value: count });
  samples.push({ suffix: '_sum', labels: {}, value: sum });
  samples.push({ suffix: '_count', labels: {}, value: count });
  const family: MetricFamily = { name: metric, help, type: 'histogram', samples };
  if (server.length !== buckets.size) return family;
  const h = toNativeHistogram({}, server, count - cumulative, sum);
  return h === undefined ? family : { ...family, native: [h] };
}

/** A statement the server refused (an `ER_*` error), as opposed to a lost connection or a deadline. */
function isServerError(err: unknown): boolean {
  return err instanceof QueryError && err.serverCode !== undefined && err.serverCode.startsWith('ER_');
}

/** The active QRT plugins of the target (none when the server will not say: a server error). */
async function readPlugins(ctx: CollectContext): Promise<ReadonlySet<string>> {
  let res: QueryResult;
  try {
    res = await ctx.db.query(QRT_PLUGINS_SQL);
  } catch (err) {
    if (!isServerError(err)) throw err;
    ctx.log.debug('query response time distribution is not available', { err: (err as Error).message });
    return new Set();
  }
  const list = labelValue(res.rows[0]?.plugins);
  return new Set(list === '' ? [] : list.split(',').map((p) => p.trim().toUpperCase()));
}

/**
 * The collect function, with its per-target plugin cache (exported with an injectable clock for
 * tests). Per scrape: one statement per active table; the plugin list every PLUGINS_TTL_MS.
 */
export function qrtCollect(now: () => number = () => performance.now()) {
  const plugins = new Lru<{ readonly active: ReadonlySet<string>; readonly at: number }>(PER_TARGET_MAX);
  return async (ctx: CollectContext): Promise<MetricFamily[]> => {
    let cached = plugins.get(ctx.targetKey);
    if (cached === undefined || now() - cached.at >= PLUGINS_TTL_MS) {
      const active = await readPlugins(ctx);
      cached = plugins.set(ctx.targetKey, { active, at: now() });
    }
    const out: MetricFamily[] = [];
    for (const t of QRT_TABLES) {
      if (!cached.active.has(t.plugin)) continue;
      let res: QueryResult;
      try {
        res = await ctx.db.query(qrtTableSql(t));
      } catch (err) {
        // The plugin may have gone: look again next time.
        if (isServerError(err)) plugins.delete(ctx.targetKey);
        if (t.required || !isServerError(err)) throw err;
        ctx.log.debug('query response time table not readable', {
          table: t.plugin,
          err: (err as Error).message,
        });
        continue;
      }
      // No rows: query_response_time_stats is OFF (mysqld_exporter then exports nothing).
      if (res.rows.length === 0) {
        if (t.required) return [];
        continue;
      }
      out.push(mapResponseTimeHistogram(res, t.metric, t.help));
    }
    return out;
  };
}

export const queryResponseTimeCollector = defineCollector({
  name: 'info_schema.query_response_time',
  help: 'Collect query response time distribution if query_response_time_stats is ON.',
  enabledByDefault: true,
  supports: { mysql: '>=5.5 <8.0', mariadb: '>=10.0' },
  collect: () => qrtCollect(),
});
