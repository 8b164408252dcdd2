/**
 * `perf_schema.file_instances`: read/write operation and byte counters per file from
 * performance_schema.file_summary_by_instance, filtered on the server by a regular expression.
 * Source: performance_schema.file_summary_by_instance, filtered by a flag's regular expression.
 * Not a query file: rows whose file names collide after removing the prefix are summed.
 *
 * Duplicate series: the table has one row per open instance of a file, so one FILE_NAME can appear
 * several times (mysqld_exporter #203), and removing the prefix can map two paths onto one name.
 * Rows that end up with the same (file_name, event_name) are summed: each row counts its own
 * operations, so the sum is the file's total. The scrape never fails on a duplicate.
 *
 * Rows come busiest first (bytes read + written, then file and event name): over `max_series` the
 * busiest files that fit are served and the rest counted in `mysql_exporter_collector_rows_dropped`.
 */
import { flag } from '../config/flags.js';
import type { MetricFamily, Sample } from '../model/metrics.js';
import { labelValue, parseNumber } from '../model/values.js';
import { defineCollector } from './collector-def.js';
import { RowLimitReporter } from './row-limit.js';
import { maxRows, maxSeriesFlag, PER_TABLE_MAX_SERIES } from './series-cap.js';

const NAME = 'perf_schema.file_instances';
const FLAG = `collect.${NAME}`;
const SERIES_PER_ROW = 4;

export const FILE_INSTANCES_SQL =
  'SELECT FILE_NAME, EVENT_NAME, COUNT_READ, COUNT_WRITE, SUM_NUMBER_OF_BYTES_READ, SUM_NUMBER_OF_BYTES_WRITE' +
  ' FROM performance_schema.file_summary_by_instance WHERE FILE_NAME REGEXP ?' +
  ' ORDER BY SUM_NUMBER_OF_BYTES_READ + SUM_NUMBER_OF_BYTES_WRITE DESC, FILE_NAME, EVENT_NAME';

export interface FileInstancesOptions {
  readonly filter: string;
  readonly removePrefix: string;
  readonly maxSeries: number;
}

interface Totals {
  fileName: string;
  eventName: string;
  countRead: number | undefined;
  countWrite: number | undefined;
  bytesRead: number | undefined;
  bytesWrite: number | undefined;
}

const add = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? b : b === undefined ? a : a + b;

export const perfSchemaFileInstances = defineCollector({
  name: NAME,
  help: 'Collect metrics from performance_schema.file_summary_by_instance.',
  enabledByDefault: false,
  supports: { mysql: '>=5.5', mariadb: '>=5.5' },
  flags: {
    filter: flag({
      name: `${FLAG}.filter`,
      kind: 'string',
      default: '.*',
      help: 'RegEx file_name filter for performance_schema.file_summary_by_instance.',
    }),
    removePrefix: flag({
      name: `${FLAG}.remove_prefix`,
      kind: 'string',
      default: '/var/lib/mysql/',
      help: 'Remove path prefix in performance_schema.file_summary_by_instance.',
    }),
    maxSeries: maxSeriesFlag(NAME, {
      order: 'the busiest files (bytes read + written)',
      default: PER_TABLE_MAX_SERIES,
    }),
  },
  collect(flags) {
    const limit = new RowLimitReporter(NAME, `--${FLAG}.max_series`);
    const opts: FileInstancesOptions = {
      filter: flags.filter,
      removePrefix: flags.removePrefix,
      maxSeries: flags.maxSeries,
    };
    return async (ctx) => {
      const allowed = maxRows(opts.maxSeries, SERIES_PER_ROW);
      const res = await ctx.db.query(FILE_INSTANCES_SQL, [opts.filter], { maxRows: allowed });
      const merged = new Map<string, Totals>();
      for (const row of res.rows) {
        let fileName = labelValue(row.FILE_NAME);
        if (opts.removePrefix !== '' && fileName.startsWith(opts.removePrefix)) {
          fileName = fileName.slice(opts.removePrefix.length);
        }
        const eventName = labelValue(row.EVENT_NAME);
        const key = `${fileName}\u0000${eventName}`;
        const t: Totals = merged.get(key) ?? {
          fileName,
          eventName,
          countRead: undefined,
          countWrite: undefined,
          bytesRead: undefined,
          bytesWrite: undefined,
        };
        t.countRead = add(t.countRead, parseNumber(row.COUNT_READ));
        t.countWrite = add(t.countWrite, parseNumber(row.COUNT_WRITE));
        t.bytesRead = add(t.bytesRead, parseNumber(row.SUM_NUMBER_OF_BYTES_READ));
        t.bytesWrite = add(t.bytesWrite, parseNumber(row.SUM_NUMBER_OF_BYTES_WRITE));
        merged.set(key, t);
      }
      const totals: Sample[] = [];
      const bytes: Sample[] = [];
      const push = (out: Sample[], t: Totals, mode: string, v: number | undefined) => {
        if (v !== undefined)
          out.push({ labels: { file_name: t.fileName, event_name: t.eventName, mode }, value: v });
      };
      for (const t of merged.values()) {
        push(totals, t, 'read', t.countRead);
        push(totals, t, 'write', t.countWrite);
        push(bytes, t, 'read', t.bytesRead);
        push(bytes, t, 'write', t.bytesWrite);
      }
      const families: MetricFamily[] = [
        {
          name: 'mysql_perf_schema_file_instances_total',
          help: 'The total number of file read/write operations.',
          type: 'counter',
          samples: totals,
        },
        {
          name: 'mysql_perf_schema_file_instances_bytes',
          help: 'The number of bytes processed by file read/write operations.',
          type: 'counter',
          samples: bytes,
        },
      ];
      return [
        ...families.filter((f) => f.samples.length > 0),
        limit.reportResult(ctx.log, ctx.targetKey, res),
      ];
    };
  },
});
