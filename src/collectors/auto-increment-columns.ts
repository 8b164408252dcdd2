/**
 * `auto_increment.columns`: the next AUTO_INCREMENT value of every table with an auto-increment
 * column, and the largest value that column's integer type can hold
 * (`mysql_info_schema_auto_increment_column[_max]{schema,table,column}`).
 * Source: information_schema.columns STRAIGHT_JOIN information_schema.tables.
 * Not a query file: the maximum of each column comes from its integer type (a per-row computation) and
 * the row cap is bound into the statement.
 *
 * STRAIGHT_JOIN makes the server walk the (filtered) columns first and look each table up, which keeps
 * the information_schema query cheap on servers with many tables (mysqld_exporter #725). The join
 * matches names exactly (binary), so tables whose names differ only in letter case do not cross.
 * Rows come highest next value first: over `max_series` those columns are served and the rest
 * counted in `mysql_exporter_collector_rows_dropped`.
 */
import type { MetricFamily } from '../model/metrics.js';
import type { Row } from '../model/rows.js';
import { labelValue, parseNumber } from '../model/values.js';
import { defineCollector } from './collector-def.js';
import { FamilySet } from './family-set.js';
import { RowLimitReporter } from './row-limit.js';
import { maxRows, maxSeriesFlag, PER_TABLE_MAX_SERIES } from './series-cap.js';

const NAME = 'auto_increment.columns';
const HELP = 'Collect auto_increment columns and max values from information_schema';

export const AUTO_INCREMENT_SQL =
  'SELECT c.TABLE_SCHEMA AS table_schema, c.TABLE_NAME AS table_name, c.COLUMN_NAME AS column_name,' +
  ' t.AUTO_INCREMENT AS auto_increment, c.DATA_TYPE AS data_type, c.COLUMN_TYPE AS column_type' +
  ' FROM information_schema.columns c STRAIGHT_JOIN information_schema.tables t' +
  ' ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME' +
  ' AND CAST(t.TABLE_SCHEMA AS BINARY) = CAST(c.TABLE_SCHEMA AS BINARY)' +
  ' AND CAST(t.TABLE_NAME AS BINARY) = CAST(c.TABLE_NAME AS BINARY)' +
  " WHERE c.EXTRA LIKE '%auto_increment%' AND t.AUTO_INCREMENT IS NOT NULL" +
  ' ORDER BY t.AUTO_INCREMENT DESC, c.TABLE_SCHEMA, c.TABLE_NAME, c.COLUMN_NAME';

/** Bits of the signed range per integer type. */
const SIGNED_BITS: Readonly<Record<string, number>> = {
  tinyint: 7,
  smallint: 15,
  mediumint: 23,
  int: 31,
  integer: 31,
  bigint: 63,
};

/** 2^bits - 1, with one more bit when unsigned; undefined for non-integer types. */
export function maxForType(dataType: string, columnType: string): number | undefined {
  const bits = SIGNED_BITS[dataType.toLowerCase()];
  if (bits === undefined) return undefined;
  const unsigned = /\bunsigned\b/i.test(columnType);
  return Number((1n << BigInt(bits + (unsigned ? 1 : 0))) - 1n);
}

export const SERIES_PER_COLUMN = 2;

export function autoIncrementFamilies(rows: readonly Row[]): MetricFamily[] {
  const out = new FamilySet();
  const seen = new Set<string>();
  const items: Array<{ labels: { schema: string; table: string; column: string }; row: Row }> = [];
  for (const row of rows) {
    const labels = {
      schema: labelValue(row.table_schema),
      table: labelValue(row.table_name),
      column: labelValue(row.column_name),
    };
    const k = `${labels.schema}\u0000${labels.table}\u0000${labels.column}`;
    if (seen.has(k)) continue;
    seen.add(k);
    items.push({ labels, row });
  }
  for (const { labels, row } of items) {
    out.add(
      'mysql_info_schema_auto_increment_column',
      'gauge',
      'The current value of an auto_increment column from information_schema.',
      labels,
      parseNumber(row.auto_increment),
    );
  }
  for (const { labels, row } of items) {
    out.add(
      'mysql_info_schema_auto_increment_column_max',
      'gauge',
      'The max value of an auto_increment column from information_schema.',
      labels,
      maxForType(labelValue(row.data_type), labelValue(row.column_type)),
    );
  }
  return out.families();
}

export const autoIncrementColumns = defineCollector({
  name: NAME,
  help: HELP,
  enabledByDefault: false,
  supports: { mysql: '>=5.1', mariadb: '>=5.1' },
  flags: {
    maxSeries: maxSeriesFlag(NAME, { order: 'the highest next values', default: PER_TABLE_MAX_SERIES }),
  },
  collect(flags) {
    const maxSeries = flags.maxSeries;
    const limit = new RowLimitReporter(NAME, `--collect.${NAME}.max_series`);
    return async (ctx) => {
      const allowed = maxRows(maxSeries, SERIES_PER_COLUMN);
      const res = await ctx.db.query(AUTO_INCREMENT_SQL, [], { maxRows: allowed });
      return [...autoIncrementFamilies(res.rows), limit.reportResult(ctx.log, ctx.targetKey, res)];
    };
  },
});
