/**
 * Per-collector series caps for the high-cardinality collectors (per digest, per file, per table).
 * The `collect.<name>.max_series` flags are this exporter's own; mysqld_exporter has no such flag.
 * A cap is enforced before the rows are loaded: the statement asks for at most one row more than the
 * cap allows, so an oversized table fails the collector with a clear error instead of filling memory.
 */
import { type Flag, flag } from '../config/flags.js';
import { CollectorError } from '../errors.js';

export const DEFAULT_MAX_SERIES = 10000;

export function maxSeriesFlag(collector: string): Flag<'int'> {
  return flag({
    name: `collect.${collector}.max_series`,
    kind: 'int',
    default: DEFAULT_MAX_SERIES,
    min: 1,
    help: `Fail ${collector} instead of emitting more than this many series (mysql-exporter only, not a mysqld_exporter flag).`,
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
