/**
 * Per-query metrics about the query itself, emitted by each declarative collector next to its data.
 * Several collectors emit the same family names (one sample each, told apart by `collector`); the
 * scrape merges them into one family (src/scrape/merge.ts).
 */
import { collectorLabel } from '../model/collector.js';
import type { MetricFamily } from '../model/metrics.js';

export const QUERY_DURATION = 'mysql_exporter_query_duration_seconds';
export const QUERY_ROWS = 'mysql_exporter_query_rows';
export const QUERY_ERRORS = 'mysql_exporter_query_errors_total';
export const QUERY_CACHE_AGE = 'mysql_exporter_query_cache_age_seconds';

export interface QueryStats {
  /** Seconds the statement took in the run whose result is being served. */
  readonly durationSeconds: number;
  /** Rows that run returned. */
  readonly rows: number;
  /** Failed runs against this target since the collector was created. */
  readonly errors: number;
  /** Age of a cached result; undefined for a collector without `min_interval`. */
  readonly cacheAgeSeconds: number | undefined;
}

export function selfMetricFamilies(collector: string, stats: QueryStats): MetricFamily[] {
  const labels = { collector: collectorLabel(collector) };
  const families: MetricFamily[] = [
    {
      name: QUERY_DURATION,
      help: 'Seconds the last run of a declarative query took (for a cached result: the run that produced it).',
      type: 'gauge',
      samples: [{ labels, value: stats.durationSeconds }],
    },
    {
      name: QUERY_ROWS,
      help: 'Rows returned by the last run of a declarative query.',
      type: 'gauge',
      samples: [{ labels, value: stats.rows }],
    },
    {
      name: QUERY_ERRORS,
      help: 'Failed runs of a declarative query against this target since the query files were loaded.',
      type: 'counter',
      samples: [{ labels, value: stats.errors }],
    },
  ];
  if (stats.cacheAgeSeconds !== undefined) {
    families.push({
      name: QUERY_CACHE_AGE,
      help: 'Age of the cached result a declarative query with min_interval served (0 right after a run).',
      type: 'gauge',
      samples: [{ labels, value: stats.cacheAgeSeconds }],
    });
  }
  return families;
}
