/**
 * `info_schema.innodb_tablespaces`: InnoDB tablespace ids and file sizes
 * (`mysql_info_schema_innodb_tablespace_*`).
 * Source: information_schema.INNODB_TABLESPACES or INNODB_SYS_TABLESPACES.
 * Not a query file: the table and its columns differ by server and are detected once per target.
 *
 * MySQL 8.0 names the table INNODB_TABLESPACES; MySQL 5.7 and MariaDB name it INNODB_SYS_TABLESPACES.
 * FILE_FORMAT exists only on MySQL 5.7 and MariaDB before 10.5, SPACE_TYPE is gone from MariaDB 10.5+.
 * The table is chosen by flavor and version; its columns are read once per target (zero-row
 * `SELECT *`) and the result, including "this server lacks a needed column", is cached in the
 * collector instance, so a server without the table fails with one reason and no further statements.
 * Rows come largest file first: over `max_series` those are served and the rest counted in
 * `mysql_exporter_collector_rows_dropped`.
 */
import { type ServerInfo, atLeast } from '../model/server-info.js';
import { CollectorError } from '../errors.js';
import type { Cell, Row } from '../model/rows.js';
import type { MetricFamily } from '../model/metrics.js';
import { labelValue, parseNumber } from '../model/values.js';
import { Lru, PER_TARGET_MAX } from '../lru.js';
import { defineCollector } from './collector-def.js';
import { FamilySet } from './family-set.js';
import { RowLimitReporter } from './row-limit.js';
import { maxRows, maxSeriesFlag, PER_TABLE_MAX_SERIES } from './series-cap.js';

const NAME = 'info_schema.innodb_tablespaces';
const HELP = 'Collect metrics from information_schema.innodb_sys_tablespaces';

export type TablespaceTable = 'INNODB_TABLESPACES' | 'INNODB_SYS_TABLESPACES';

export function tablespaceTable(s: ServerInfo): TablespaceTable {
  return s.flavor === 'mysql' && atLeast(s, 8, 0) ? 'INNODB_TABLESPACES' : 'INNODB_SYS_TABLESPACES';
}

const PROBE_SQL: Readonly<Record<TablespaceTable, string>> = {
  INNODB_TABLESPACES: 'SELECT * FROM information_schema.INNODB_TABLESPACES LIMIT 0',
  INNODB_SYS_TABLESPACES: 'SELECT * FROM information_schema.INNODB_SYS_TABLESPACES LIMIT 0',
};

export function probeSql(table: TablespaceTable): string {
  return PROBE_SQL[table];
}

const REQUIRED = ['SPACE', 'NAME', 'ROW_FORMAT', 'FILE_SIZE', 'ALLOCATED_SIZE'] as const;

export interface TablespaceShape {
  readonly table: TablespaceTable;
  readonly fileFormat: boolean;
  readonly spaceType: boolean;
}

export type Detection =
  | { readonly ok: true; readonly shape: TablespaceShape }
  | { readonly ok: false; readonly reason: string };

export function detectTablespaceShape(table: TablespaceTable, columns: readonly string[]): Detection {
  const have = new Set(columns.map((c) => c.toUpperCase()));
  const missing = REQUIRED.filter((c) => !have.has(c));
  if (missing.length > 0) {
    return {
      ok: false,
      reason: `${NAME}: information_schema.${table} has no ${missing.join(', ')} column(s)`,
    };
  }
  return {
    ok: true,
    shape: { table, fileFormat: have.has('FILE_FORMAT'), spaceType: have.has('SPACE_TYPE') },
  };
}

/** Built only from the constant fragments below; the table name is one of two constants. */
export function tablespacesSql(shape: TablespaceShape): string {
  return (
    'SELECT SPACE, NAME, ' +
    (shape.fileFormat ? 'FILE_FORMAT' : 'NULL AS FILE_FORMAT') +
    ', ROW_FORMAT, ' +
    (shape.spaceType ? 'SPACE_TYPE' : 'NULL AS SPACE_TYPE') +
    `, FILE_SIZE, ALLOCATED_SIZE FROM information_schema.${shape.table} ORDER BY FILE_SIZE DESC, NAME`
  );
}

export const SERIES_PER_TABLESPACE = 3;

const orNone = (v: Cell | undefined) => (v === null || v === undefined ? 'NONE' : labelValue(v));

export function tablespacesFamilies(rows: readonly Row[]): MetricFamily[] {
  const out = new FamilySet();
  for (const r of rows) {
    out.add(
      'mysql_info_schema_innodb_tablespace_space_info',
      'gauge',
      'The Tablespace information and Space ID.',
      {
        tablespace_name: labelValue(r.NAME),
        file_format: orNone(r.FILE_FORMAT),
        row_format: orNone(r.ROW_FORMAT),
        space_type: orNone(r.SPACE_TYPE),
      },
      parseNumber(r.SPACE),
    );
  }
  for (const r of rows) {
    out.add(
      'mysql_info_schema_innodb_tablespace_file_size_bytes',
      'gauge',
      'The apparent size of the file, which represents the maximum size of the file, uncompressed.',
      { tablespace_name: labelValue(r.NAME) },
      parseNumber(r.FILE_SIZE),
    );
  }
  for (const r of rows) {
    out.add(
      'mysql_info_schema_innodb_tablespace_allocated_size_bytes',
      'gauge',
      'The actual size of the file, which is the amount of space allocated on disk.',
      { tablespace_name: labelValue(r.NAME) },
      parseNumber(r.ALLOCATED_SIZE),
    );
  }
  return out.families();
}

export const infoSchemaInnodbTablespaces = defineCollector({
  name: NAME,
  help: HELP,
  enabledByDefault: false,
  // FILE_SIZE / ALLOCATED_SIZE exist from MySQL 5.7 and MariaDB 10.2.
  supports: { mysql: '>=5.7', mariadb: '>=10.2' },
  flags: { maxSeries: maxSeriesFlag(NAME, { order: 'the largest files', default: PER_TABLE_MAX_SERIES }) },
  collect(flags) {
    const maxSeries = flags.maxSeries;
    const limit = new RowLimitReporter(NAME, `--collect.${NAME}.max_series`);
    // Detection per target and server version; lives and dies with this collector instance.
    const detected = new Lru<Detection>(PER_TARGET_MAX);
    return async (ctx) => {
      const key = `${ctx.targetKey}\u0000${ctx.server.versionString}`;
      let detection = detected.get(key);
      if (!detection) {
        const table = tablespaceTable(ctx.server);
        const probe = await ctx.db.query(probeSql(table));
        detection = detectTablespaceShape(table, probe.columns);
        detected.set(key, detection);
      }
      if (!detection.ok) throw new CollectorError(detection.reason);
      const allowed = maxRows(maxSeries, SERIES_PER_TABLESPACE);
      const res = await ctx.db.query(tablespacesSql(detection.shape), [], { maxRows: allowed });
      return [...tablespacesFamilies(res.rows), limit.reportResult(ctx.log, ctx.targetKey, res)];
    };
  },
});
