/**
 * `perf_schema.eventsstatements`: the top statement digests by total latency from
 * performance_schema.events_statements_summary_by_digest, one series per digest and counter.
 * Source: performance_schema.events_statements_summary_by_digest, top digests.
 * Not a query file: the statement and the digest text shaping depend on server version and flags.
 *
 * Columns differ by server: SUM_LOCK_TIME exists everywhere the table does (MySQL 5.6+, MariaDB);
 * QUANTILE_95/99/999 only on MySQL 8.0.3+; SUM_CPU_TIME only on MySQL 8.0.28+. MariaDB (10.x and 11.x,
 * including 11.4) has neither, so the statement is chosen by flavor and version, never by a float.
 */
import { flag } from '../config/flags.js';
import { type ServerInfo, atLeast } from '../model/server-info.js';
import type { Labels, MetricFamily, Sample } from '../model/metrics.js';
import type { Row } from '../model/rows.js';
import { labelValue, parseNumber } from '../model/values.js';
import { defineCollector } from './collector-def.js';
import { enforceRowCap, maxRows, maxSeriesFlag } from './series-cap.js';

const NAME = 'perf_schema.eventsstatements';
const FLAG = `collect.${NAME}`;
const PICO = 1e12;

/** Always excluded, as in mysqld_exporter. */
const ALWAYS_EXCLUDED = ['mysql', 'performance_schema', 'information_schema'] as const;

const SELECT_COMMON =
  "SELECT IFNULL(SCHEMA_NAME, 'NONE') AS SCHEMA_NAME, DIGEST, LEFT(DIGEST_TEXT, ?) AS DIGEST_TEXT," +
  ' COUNT_STAR, SUM_TIMER_WAIT, SUM_LOCK_TIME, SUM_ERRORS, SUM_WARNINGS, SUM_ROWS_AFFECTED, SUM_ROWS_SENT,' +
  ' SUM_ROWS_EXAMINED, SUM_CREATED_TMP_TABLES, SUM_CREATED_TMP_DISK_TABLES, SUM_SORT_MERGE_PASSES,' +
  ' SUM_SORT_ROWS, SUM_NO_INDEX_USED';
const SELECT_CPU = ', SUM_CPU_TIME';
const SELECT_QUANTILES = ', QUANTILE_95, QUANTILE_99, QUANTILE_999';
const FROM = ' FROM performance_schema.events_statements_summary_by_digest WHERE SCHEMA_NAME NOT IN (';
const WHERE_REST =
  ') AND LAST_SEEN > DATE_SUB(NOW(), INTERVAL ? SECOND) ORDER BY SUM_TIMER_WAIT DESC LIMIT ?';

export const hasQuantiles = (s: ServerInfo): boolean => s.flavor === 'mysql' && atLeast(s, 8, 0, 3);
export const hasCpuTime = (s: ServerInfo): boolean => s.flavor === 'mysql' && atLeast(s, 8, 0, 28);

/** The statement for a server shape; the exclusion list is bound as `exclusions` placeholders. */
export function eventsStatementsSql(quantiles: boolean, cpu: boolean, exclusions: number): string {
  const placeholders = new Array<string>(exclusions).fill('?').join(', ');
  return (
    SELECT_COMMON +
    (cpu ? SELECT_CPU : '') +
    (quantiles ? SELECT_QUANTILES : '') +
    FROM +
    placeholders +
    WHERE_REST
  );
}

interface CounterSpec {
  readonly name: string;
  readonly column: string;
  readonly help: string;
  readonly scale: number;
}

const COUNTERS: readonly CounterSpec[] = [
  { name: 'total', column: 'COUNT_STAR', help: 'The total count of events statements by digest.', scale: 1 },
  {
    name: 'seconds_total',
    column: 'SUM_TIMER_WAIT',
    help: 'The total time of events statements by digest.',
    scale: PICO,
  },
  {
    name: 'lock_time_seconds_total',
    column: 'SUM_LOCK_TIME',
    help: 'The total time spent waiting for table locks by digest.',
    scale: PICO,
  },
  {
    name: 'cpu_time_seconds_total',
    column: 'SUM_CPU_TIME',
    help: 'The total CPU time of events statements by digest.',
    scale: PICO,
  },
  {
    name: 'errors_total',
    column: 'SUM_ERRORS',
    help: 'The errors of events statements by digest.',
    scale: 1,
  },
  {
    name: 'warnings_total',
    column: 'SUM_WARNINGS',
    help: 'The warnings of events statements by digest.',
    scale: 1,
  },
  {
    name: 'rows_affected_total',
    column: 'SUM_ROWS_AFFECTED',
    help: 'The total rows affected by events statements by digest.',
    scale: 1,
  },
  {
    name: 'rows_sent_total',
    column: 'SUM_ROWS_SENT',
    help: 'The total rows sent by events statements by digest.',
    scale: 1,
  },
  {
    name: 'rows_examined_total',
    column: 'SUM_ROWS_EXAMINED',
    help: 'The total rows examined by events statements by digest.',
    scale: 1,
  },
  {
    name: 'tmp_tables_total',
    column: 'SUM_CREATED_TMP_TABLES',
    help: 'The total temporary tables created by events statements by digest.',
    scale: 1,
  },
  {
    name: 'tmp_disk_tables_total',
    column: 'SUM_CREATED_TMP_DISK_TABLES',
    help: 'The total on-disk temporary tables created by events statements by digest.',
    scale: 1,
  },
  {
    name: 'sort_merge_passes_total',
    column: 'SUM_SORT_MERGE_PASSES',
    help: 'The total sort merge passes by events statements by digest.',
    scale: 1,
  },
  {
    name: 'sort_rows_total',
    column: 'SUM_SORT_ROWS',
    help: 'The total sorted rows by events statements by digest.',
    scale: 1,
  },
  {
    name: 'no_index_used_total',
    column: 'SUM_NO_INDEX_USED',
    help: 'The total statements that used no index, by digest.',
    scale: 1,
  },
];

const QUANTILES: ReadonlyArray<readonly [string, string]> = [
  ['95', 'QUANTILE_95'],
  ['99', 'QUANTILE_99'],
  ['999', 'QUANTILE_999'],
];

const PREFIX = 'mysql_perf_schema_events_statements_';
const LATENCY = 'mysql_perf_schema_events_statements_latency';

export interface EventsStatementsOptions {
  readonly limit: number;
  readonly timeLimitSeconds: number;
  readonly digestTextLimit: number;
  readonly excludeSchemas: readonly string[];
  readonly maxSeries: number;
}

/** Turns digest rows into families; `cpu` and `quantiles` say which optional columns were selected. */
export function eventsStatementsFamilies(
  rows: readonly Row[],
  cpu: boolean,
  quantiles: boolean,
): MetricFamily[] {
  const counters = COUNTERS.filter((c) => cpu || c.column !== 'SUM_CPU_TIME');
  const samples = counters.map(() => [] as Sample[]);
  const latency: Sample[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const labels: Labels = {
      schema: labelValue(row.SCHEMA_NAME),
      digest: labelValue(row.DIGEST),
      digest_text: labelValue(row.DIGEST_TEXT),
    };
    // (SCHEMA_NAME, DIGEST) is the table's key; keep the first (highest latency) row if it repeats.
    const key = `${labels.schema}\u0000${labels.digest}\u0000${labels.digest_text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    counters.forEach((c, i) => {
      const v = parseNumber(row[c.column]);
      if (v !== undefined) samples[i]!.push({ labels, value: v / c.scale });
    });
    const count = parseNumber(row.COUNT_STAR);
    const sum = parseNumber(row.SUM_TIMER_WAIT);
    if (count === undefined || sum === undefined) continue;
    if (quantiles) {
      for (const [q, column] of QUANTILES) {
        const v = parseNumber(row[column]);
        if (v !== undefined) latency.push({ labels: { ...labels, quantile: q }, value: v / PICO });
      }
    }
    latency.push({ labels, value: sum / PICO, suffix: '_sum' });
    latency.push({ labels, value: count, suffix: '_count' });
  }
  const families: MetricFamily[] = counters.map((c, i) => ({
    name: PREFIX + c.name,
    help: c.help,
    type: 'counter',
    samples: samples[i]!,
  }));
  families.push({
    name: LATENCY,
    help: 'A summary of statement latency by digest (quantile keys 95, 99, 999 as in mysqld_exporter).',
    type: 'summary',
    samples: latency,
  });
  return families.filter((f) => f.samples.length > 0);
}

export const perfSchemaEventsStatements = defineCollector({
  name: NAME,
  help: 'Collect metrics from performance_schema.events_statements_summary_by_digest.',
  enabledByDefault: false,
  supports: { mysql: '>=5.6', mariadb: '>=10.0' },
  flags: {
    limit: flag({
      name: `${FLAG}.limit`,
      kind: 'int',
      default: 250,
      min: 0,
      help: 'Limit the number of events statements digests by response time.',
    }),
    timelimit: flag({
      name: `${FLAG}.timelimit`,
      kind: 'int',
      default: 86400,
      min: 0,
      help: 'Limit how old the last_seen events statements can be, in seconds.',
    }),
    digestTextLimit: flag({
      name: `${FLAG}.digest_text_limit`,
      kind: 'int',
      default: 120,
      min: 0,
      help: 'Maximum length of the normalized statement text.',
    }),
    excludeSchemas: flag({
      name: `${FLAG}.exclude_schemas`,
      kind: 'strings',
      default: [],
      help: 'Schemas to leave out (repeatable); mysql, performance_schema and information_schema are always left out.',
    }),
    maxSeries: maxSeriesFlag(NAME),
  },
  collect(flags) {
    const opts: EventsStatementsOptions = {
      limit: flags.limit,
      timeLimitSeconds: flags.timelimit,
      digestTextLimit: flags.digestTextLimit,
      excludeSchemas: flags.excludeSchemas,
      maxSeries: flags.maxSeries,
    };
    const excluded = [...new Set([...ALWAYS_EXCLUDED, ...opts.excludeSchemas])];
    return async (ctx) => {
      const cpu = hasCpuTime(ctx.server);
      const quantiles = hasQuantiles(ctx.server);
      const perRow = COUNTERS.length - (cpu ? 0 : 1) + 2 + (quantiles ? QUANTILES.length : 0);
      const allowed = maxRows(opts.maxSeries, perRow);
      const limit = Math.min(opts.limit, allowed + 1);
      const res = await ctx.db.query(eventsStatementsSql(quantiles, cpu, excluded.length), [
        opts.digestTextLimit,
        ...excluded,
        opts.timeLimitSeconds,
        limit,
      ]);
      enforceRowCap(NAME, res.rows.length, allowed, opts.maxSeries);
      return eventsStatementsFamilies(res.rows, cpu, quantiles);
    };
  },
});
