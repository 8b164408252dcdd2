/**
 * Per-collector series caps for the high-cardinality collectors (per digest, per file, per table).
 * The `collect.<name>.max_series` flags are this exporter's own; mysqld_exporter has no such flag.
 * The per-table and per-file collectors default to `PER_TABLE_MAX_SERIES`, which serves a server of
 * 50,000 tables (5 series each) whole; the others to `DEFAULT_MAX_SERIES`. Collectors that order their
 * rows by importance (largest tables first) serve the first rows that fit and count the others in
 * `mysql_exporter_collector_rows_dropped` (src/scrape/row-limit.ts); the others fail with a clear
 * error. Either way at most the allowed rows are held in memory.
 */
import { type Flag, flag } from '../config/flags.js';
import { CollectorError } from '../errors.js';

export const DEFAULT_MAX_SERIES = 10_000;
/** For collectors with series per table, index or file (measured: bench/big-schema.ts). */
export const PER_TABLE_MAX_SERIES = 250_000;

/**
 * Without `order` the collector fails over the cap; with it, the collector serves its first rows
 * (`order` says which) and counts the rest.
 */
export function maxSeriesFlag(
  collector: string,
  opts: { readonly order?: string; readonly default?: number } = {},
): Flag<'int'> {
  const { order } = opts;
  return flag({
    name: `collect.${collector}.max_series`,
    kind: 'int',
    default: opts.default ?? DEFAULT_MAX_SERIES,
    min: 1,
    help:
      order === undefined
        ? `Fail ${collector} instead of emitting more than this many series (mysql-exporter only, not a mysqld_exporter flag).`
        : `Emit at most this many series from ${collector}, ${order} first; the rows left out are counted in mysql_exporter_collector_rows_dropped (mysql-exporter only, not a mysqld_exporter flag).`,
  });
}

/** How many rows fit under `maxSeries` when each row yields at most `seriesPerRow` series (may be 0). */
export function maxRows(maxSeries: number, seriesPerRow: number): number {
  return Math.floor(maxSeries / Math.max(1, seriesPerRow));
}

/** Throws once the row count shows the cap would be exceeded. */
export function enforceRowCap(
  collector: string,
  rowCount: number,
  allowedRows: number,
  maxSeries: number,
): void {
  if (rowCount > allowedRows) {
    throw new CollectorError(
      `${collector}: more than ${allowedRows} rows would exceed ${maxSeries} series; ` +
        `narrow it down or raise --collect.${collector}.max_series`,
    );
  }
}
