/**
 * `info_schema.tables`: per-table version, estimated rows and sizes from information_schema.tables
 * (mysqld_exporter's `mysql_info_schema_table_*` families).
 * Source: information_schema.tables (one statement, or one per listed schema).
 * Not a query file: the statement count depends on a flag, and one row budget spans all statements.
 *
 * Schema names are only ever bound as parameters. One statement reads every schema but the system
 * ones with the default `*` (mysqld_exporter runs one per schema after listing them), or the listed
 * schemas. Rows come largest first (data + index length, then schema and table name): over
 * `max_series` the collector serves the largest tables that fit and counts the others in
 * `mysql_exporter_collector_rows_dropped`, holding no more rows than it serves.
 */
import { flag } from '../config/flags.js';
import type { Cell, Row } from '../model/rows.js';
import type { MetricFamily } from '../model/metrics.js';
import { labelValue, parseNumber } from '../model/values.js';
import { defineCollector } from './collector-def.js';
import { FamilySet } from './family-set.js';
import { RowLimitReporter } from './row-limit.js';
import { maxRows, maxSeriesFlag, PER_TABLE_MAX_SERIES } from './series-cap.js';

const NAME = 'info_schema.tables';
const FLAG = `collect.${NAME}`;
const HELP = 'Collect metrics from information_schema.tables';

const COLUMNS =
  'SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, ENGINE, VERSION, ROW_FORMAT, TABLE_ROWS, DATA_LENGTH,' +
  ' INDEX_LENGTH, DATA_FREE, CREATE_OPTIONS FROM information_schema.tables';

/** Largest first; names break ties, so the subset served over the cap is the same on every scrape. */
const LARGEST_FIRST =
  ' ORDER BY IFNULL(DATA_LENGTH, 0) + IFNULL(INDEX_LENGTH, 0) DESC, TABLE_SCHEMA, TABLE_NAME';

// As mysqld_exporter 0.14 (measured against it): `sys` is served; only these three are left out.
export const TABLES_ALL_SQL = `${COLUMNS} WHERE TABLE_SCHEMA NOT IN ('mysql', 'performance_schema', 'information_schema')${LARGEST_FIRST}`;

/** The statement for `count` listed schemas (bound as parameters). */
export function tablesInSchemasSql(count: number): string {
  return `${COLUMNS} WHERE TABLE_SCHEMA IN (${new Array(count).fill('?').join(', ')})${LARGEST_FIRST}`;
}

/** version + rows + 3 size components. */
export const SERIES_PER_TABLE = 5;

/** The comma-separated flag value as a schema list; `*` (or nothing) means every non-system schema. */
export function parseDatabases(flag: string): readonly string[] | '*' {
  const list = flag
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (list.length === 0 || list.includes('*')) return '*';
  return [...new Set(list)];
}

const orNone = (v: Cell | undefined) => (v === null || v === undefined ? 'NONE' : labelValue(v));

export function tablesFamilies(all: readonly Row[]): MetricFamily[] {
  const out = new FamilySet();
  // A schema listed twice in different letter case (case-insensitive file systems) returns its
  // tables twice: keep one row per (schema, table).
  const seen = new Set<string>();
  const rows = all.filter((r) => {
    const k = `${labelValue(r.TABLE_SCHEMA)}\u0000${labelValue(r.TABLE_NAME)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const key = (r: Row) => ({ schema: labelValue(r.TABLE_SCHEMA), table: labelValue(r.TABLE_NAME) });
  for (const r of rows) {
    out.add(
      'mysql_info_schema_table_version',
      'gauge',
      "The version number of the table's .frm file",
      {
        ...key(r),
        type: labelValue(r.TABLE_TYPE),
        engine: orNone(r.ENGINE),
        row_format: orNone(r.ROW_FORMAT),
        create_options: orNone(r.CREATE_OPTIONS),
      },
      parseNumber(r.VERSION) ?? 0,
    );
  }
  for (const r of rows) {
    out.add(
      'mysql_info_schema_table_rows',
      'gauge',
      'The estimated number of rows in the table from information_schema.tables',
      key(r),
      parseNumber(r.TABLE_ROWS) ?? 0,
    );
  }
  const components = [
    ['data_length', 'DATA_LENGTH'],
    ['index_length', 'INDEX_LENGTH'],
    ['data_free', 'DATA_FREE'],
  ] as const;
  for (const r of rows) {
    for (const [component, column] of components) {
      out.add(
        'mysql_info_schema_table_size',
        'gauge',
        'The size of the table components from information_schema.tables',
        { ...key(r), component },
        parseNumber(r[column]) ?? 0,
      );
    }
  }
  return out.families();
}

export interface TablesOptions {
  readonly databases: readonly string[] | '*';
  readonly maxSeries: number;
}

export const infoSchemaTables = defineCollector({
  name: NAME,
  help: HELP,
  enabledByDefault: false,
  supports: { mysql: '>=5.1', mariadb: '>=5.1' },
  flags: {
    databases: flag({
      name: `${FLAG}.databases`,
      kind: 'string',
      default: '*',
      placeholder: 'LIST',
      help: "The list of databases to collect table stats for, or '*' for all",
    }),
    maxSeries: maxSeriesFlag(NAME, {
      order: 'the largest tables (data + index length)',
      default: PER_TABLE_MAX_SERIES,
    }),
  },
  collect(flags) {
    const limit = new RowLimitReporter(NAME, `--${FLAG}.max_series`);
    const opts: TablesOptions = {
      databases: parseDatabases(flags.databases),
      maxSeries: flags.maxSeries,
    };
    return async (ctx) => {
      const allowed = maxRows(opts.maxSeries, SERIES_PER_TABLE);
      const res =
        opts.databases === '*'
          ? await ctx.db.query(TABLES_ALL_SQL, [], { maxRows: allowed })
          : await ctx.db.query(tablesInSchemasSql(opts.databases.length), opts.databases, {
              maxRows: allowed,
            });
      return [...tablesFamilies(res.rows), limit.reportResult(ctx.log, ctx.targetKey, res)];
    };
  },
});
