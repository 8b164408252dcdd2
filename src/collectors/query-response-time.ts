import { QueryError } from '../errors.js';
import { labelValue, parseNumber, parseStatusValue } from '../scrape/values.js';
import type { CollectContext, MetricFamily, QueryResult, Sample } from '../scrape/types.js';
import { defineCollector } from './collector-def.js';

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

/** The gate: whether statistics are on, and which of the tables' plugins are active (comma-separated). */
export const QRT_GATE_SQL = `SELECT @@query_response_time_stats AS stats, (SELECT GROUP_CONCAT(PLUGIN_NAME) FROM information_schema.PLUGINS WHERE PLUGIN_STATUS = 'ACTIVE' AND PLUGIN_NAME IN (${QRT_TABLES.map((t) => `'${t.plugin}'`).join(', ')})) AS plugins`;

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
 * the overflow bucket. A row whose COUNT does not parse is skipped entirely.
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
  let cumulative = 0;
  for (const le of [...buckets.keys()].sort((a, b) => a - b)) {
    cumulative += buckets.get(le) ?? 0;
    samples.push({ suffix: '_bucket', labels: { le: formatGoFloat(le) }, value: cumulative });
  }
  samples.push({ suffix: '_bucket', labels: { le: '+Inf' }, value: count });
  samples.push({ suffix: '_sum', labels: {}, value: sum });
  samples.push({ suffix: '_count', labels: {}, value: count });
  return { name: metric, help, type: 'histogram', samples };
}

/** A statement the server refused (an `ER_*` error), as opposed to a lost connection or a deadline. */
function isServerError(err: unknown): boolean {
  return err instanceof QueryError && err.serverCode !== undefined && err.serverCode.startsWith('ER_');
}

/** The active plugins when statistics are on; undefined when the distribution is unavailable or off. */
async function gate(ctx: CollectContext): Promise<Set<string> | undefined> {
  let res: QueryResult;
  try {
    res = await ctx.db.query(QRT_GATE_SQL);
  } catch (err) {
    if (isServerError(err)) {
      ctx.log.debug('query response time distribution is not available', { err: (err as Error).message });
      return undefined;
    }
    throw err;
  }
  const row = res.rows[0];
  const v = row === undefined ? undefined : parseStatusValue(row.stats);
  if (v === undefined || v === 0) return undefined;
  const list = labelValue(row?.plugins);
  return new Set(list === '' ? [] : list.split(',').map((p) => p.trim().toUpperCase()));
}

export const queryResponseTimeCollector = defineCollector({
  name: 'info_schema.query_response_time',
  help: 'Collect query response time distribution if query_response_time_stats is ON.',
  enabledByDefault: true,
  supports: { mysql: '>=5.5 <8.0', mariadb: '>=10.0' },
  collect: () => async (ctx) => {
    const active = await gate(ctx);
    if (!active) return [];
    const out: MetricFamily[] = [];
    for (const t of QRT_TABLES) {
      if (!active.has(t.plugin)) continue;
      let res: QueryResult;
      try {
        res = await ctx.db.query(t.sql);
      } catch (err) {
        if (t.required || !isServerError(err)) throw err;
        ctx.log.debug('query response time table not readable', {
          table: t.plugin,
          err: (err as Error).message,
        });
        continue;
      }
      out.push(mapResponseTimeHistogram(res, t.metric, t.help));
    }
    return out;
  },
});
