/**
 * `info_schema.rocksdb_perf_context`: MyRocks per-table perf context counters from
 * information_schema.ROCKSDB_PERF_CONTEXT, the 23 STAT_TYPEs mysqld_exporter exposes, labelled
 * {schema, table, part}. MyRocks ships only with Percona Server (5.7+) and MariaDB (10.2+), so on
 * Oracle MySQL and older servers the collector runs no query. Where the plugin could exist but is not
 * loaded, the one statement fails with a one-line reason. Only the 23 stat types are fetched (filtered
 * on the server) and the row count is capped by `collect.info_schema.rocksdb_perf_context.max_series`.
 * Source: information_schema.ROCKSDB_PERF_CONTEXT.
 * Not a query file: one family per STAT_TYPE row value, and the plugin's absence is told apart from a
 * failure.
 
 */
import { type ServerInfo, supportPredicate } from '../model/server-info.js';
import { CollectorError, QueryError, errorMessage } from '../errors.js';
import type { MetricFamily, Sample } from '../model/metrics.js';
import type { QueryResult } from '../model/rows.js';
import { seriesKey } from '../model/metrics.js';
import { labelValue, parseNumber } from '../model/values.js';
import { defineCollector } from './collector-def.js';
import { enforceRowCap, maxSeriesFlag } from './series-cap.js';

const NAME = 'info_schema.rocksdb_perf_context';

export const ROCKSDB_STATS = [
  'user_key_comparison_count',
  'block_cache_hit_count',
  'block_read_count',
  'block_read_byte',
  'get_read_bytes',
  'multiget_read_bytes',
  'iter_read_bytes',
  'internal_key_skipped_count',
  'internal_delete_skipped_count',
  'internal_recent_skipped_count',
  'internal_merge_count',
  'get_from_memtable_count',
  'seek_on_memtable_count',
  'next_on_memtable_count',
  'prev_on_memtable_count',
  'seek_child_seek_count',
  'bloom_memtable_hit_count',
  'bloom_memtable_miss_count',
  'bloom_sst_hit_count',
  'bloom_sst_miss_count',
  'key_lock_wait_count',
  'io_bytes_written',
  'io_bytes_read',
] as const;

export const ROCKSDB_PERF_CONTEXT_SQL =
  "SELECT TABLE_SCHEMA, TABLE_NAME, IFNULL(PARTITION_NAME, '') AS PARTITION_NAME, STAT_TYPE, VALUE" +
  ' FROM information_schema.ROCKSDB_PERF_CONTEXT WHERE STAT_TYPE IN (' +
  ROCKSDB_STATS.map(() => '?').join(', ') +
  ') LIMIT ?';

const perconaRange = supportPredicate({ mysql: '>=5.7' });
const mariadbRange = supportPredicate({ mariadb: '>=10.2' });

export function myrocksPossible(s: ServerInfo): boolean {
  return s.flavor === 'mariadb' ? mariadbRange(s) : s.percona && perconaRange(s);
}

export function rocksdbPerfContextFamilies(res: QueryResult): MetricFamily[] {
  const samples = new Map<string, Sample[]>(ROCKSDB_STATS.map((s) => [s, []]));
  const seen = new Set<string>();
  for (const row of res.rows) {
    const stat = labelValue(row.STAT_TYPE).toLowerCase();
    const out = samples.get(stat);
    const value = parseNumber(row.VALUE);
    if (out === undefined || value === undefined) continue;
    const labels = {
      schema: labelValue(row.TABLE_SCHEMA),
      table: labelValue(row.TABLE_NAME),
      part: labelValue(row.PARTITION_NAME),
    };
    const key = seriesKey(stat, labels);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ labels, value });
  }
  const families: MetricFamily[] = [];
  for (const [stat, s] of samples) {
    if (s.length === 0) continue;
    families.push({
      name: `mysql_info_schema_rocksdb_perf_context_${stat}`,
      help: `RocksDB perf context ${stat.toUpperCase()} per table.`,
      type: 'counter',
      samples: s,
    });
  }
  return families;
}

export const infoSchemaRocksdbPerfContext = defineCollector({
  name: NAME,
  help: 'Collect RocksDB metrics from information_schema.ROCKSDB_PERF_CONTEXT.',
  enabledByDefault: false,
  supports: myrocksPossible,
  flags: { maxSeries: maxSeriesFlag(NAME) },
  collect(flags) {
    const maxSeries = flags.maxSeries;
    return async (ctx) => {
      let res: QueryResult;
      try {
        res = await ctx.db.query(ROCKSDB_PERF_CONTEXT_SQL, [
          ...ROCKSDB_STATS.map((s) => s.toUpperCase()),
          maxSeries + 1,
        ]);
      } catch (err) {
        if (err instanceof QueryError && /unknown table/i.test(err.message)) {
          throw new CollectorError(
            `MyRocks is not loaded on this server (${errorMessage(err)}); turn off --collect.${NAME}`,
            { cause: err },
          );
        }
        throw err;
      }
      enforceRowCap(NAME, res.rows.length, maxSeries, maxSeries);
      return rocksdbPerfContextFamilies(res);
    };
  },
});
