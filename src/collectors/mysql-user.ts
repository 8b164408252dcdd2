/**
 * `mysql.user`: per-account resource limits (and, with `--collect.mysql.user.privileges`, the global
 * `*_priv` flags) from mysql.user, under mysqld_exporter's names `mysql_mysql_*{mysql_user,hostmask}`.
 * Source: SELECT * ... LIMIT 0 (the column names), then the known columns of mysql.user.
 * Not a query file: the selected columns are detected per target, from allowlists.
 *
 * The columns differ by flavor and version (MariaDB 10.4+ serves mysql.user as a view over
 * mysql.global_priv; MySQL 8.0 adds role privileges), so the collector reads the column names once
 * per target with a zero-row `SELECT *` (which never reads a password hash) and then selects only the
 * known columns that exist. Only names from the allowlists below ever reach the SQL text.
 */
import { flag } from '../config/flags.js';
import { CollectorError } from '../errors.js';
import type { Cell, Row } from '../model/rows.js';
import type { MetricFamily } from '../model/metrics.js';
import { labelValue, parseNumber } from '../model/values.js';
import { Lru, PER_TARGET_MAX } from '../lru.js';
import { defineCollector } from './collector-def.js';
import { FamilySet } from './family-set.js';
import { enforceRowCap, maxRows, maxSeriesFlag } from './series-cap.js';

const NAME = 'mysql.user';
const FLAG = `collect.${NAME}`;
const HELP = 'Collect data from mysql.user';

export const USER_COLUMNS_SQL = 'SELECT * FROM mysql.user LIMIT 0';

/** The 29 privilege columns mysqld_exporter reads, in its order. */
export const PRIVILEGE_COLUMNS = [
  'Select_priv',
  'Insert_priv',
  'Update_priv',
  'Delete_priv',
  'Create_priv',
  'Drop_priv',
  'Reload_priv',
  'Shutdown_priv',
  'Process_priv',
  'File_priv',
  'Grant_priv',
  'References_priv',
  'Index_priv',
  'Alter_priv',
  'Show_db_priv',
  'Super_priv',
  'Create_tmp_table_priv',
  'Lock_tables_priv',
  'Execute_priv',
  'Repl_slave_priv',
  'Repl_client_priv',
  'Create_view_priv',
  'Show_view_priv',
  'Create_routine_priv',
  'Alter_routine_priv',
  'Create_user_priv',
  'Event_priv',
  'Trigger_priv',
  'Create_tablespace_priv',
] as const;

export const LIMIT_COLUMNS = [
  'max_questions',
  'max_updates',
  'max_connections',
  'max_user_connections',
] as const;

/** The columns (from the allowlists) that this server's mysql.user has. */
export interface UserColumns {
  readonly privileges: readonly string[];
  readonly limits: readonly string[];
}

/** Matches the server's column names against the allowlists, case-insensitively. */
export function detectUserColumns(serverColumns: readonly string[]): UserColumns {
  const have = new Set(serverColumns.map((c) => c.toLowerCase()));
  if (!have.has('user') || !have.has('host')) {
    throw new CollectorError(`${NAME}: mysql.user has no User/Host columns`);
  }
  return {
    privileges: PRIVILEGE_COLUMNS.filter((c) => have.has(c.toLowerCase())),
    limits: LIMIT_COLUMNS.filter((c) => have.has(c.toLowerCase())),
  };
}

const quote = (c: string) => `\`${c}\` AS \`${c}\``;

/** The statement for a detected column set; `LIMIT ?` bounds the rows. */
export function userSql(cols: UserColumns, privileges: boolean): string {
  const list = [
    '`User` AS `user`',
    '`Host` AS `host`',
    ...(privileges ? cols.privileges : []).map(quote),
    ...cols.limits.map(quote),
  ];
  return `SELECT ${list.join(', ')} FROM mysql.user LIMIT ?`;
}

export function seriesPerUser(cols: UserColumns, privileges: boolean): number {
  return cols.limits.length + (privileges ? cols.privileges.length : 0);
}

function privilegeValue(v: Cell | undefined): number | undefined {
  const s = labelValue(v).toUpperCase();
  return s === 'Y' ? 1 : s === 'N' ? 0 : undefined;
}

export function userFamilies(rows: readonly Row[], cols: UserColumns, privileges: boolean): MetricFamily[] {
  const out = new FamilySet();
  for (const c of cols.limits) {
    for (const row of rows) {
      const labels = { mysql_user: labelValue(row.user), hostmask: labelValue(row.host) };
      out.add(`mysql_mysql_${c}`, 'gauge', `The number of ${c} by user.`, labels, parseNumber(row[c]));
    }
  }
  if (privileges) {
    for (const c of cols.privileges) {
      for (const row of rows) {
        const labels = { mysql_user: labelValue(row.user), hostmask: labelValue(row.host) };
        out.add(
          `mysql_mysql_${c.toLowerCase()}`,
          'gauge',
          `Privilege ${c} of the account (1 = Y, 0 = N).`,
          labels,
          privilegeValue(row[c]),
        );
      }
    }
  }
  return out.families();
}

export interface UserOptions {
  readonly privileges: boolean;
  readonly maxSeries: number;
}

export const mysqlUser = defineCollector({
  name: NAME,
  help: HELP,
  enabledByDefault: false,
  supports: { mysql: '>=5.1', mariadb: '>=5.1' },
  flags: {
    privileges: flag({
      name: `${FLAG}.privileges`,
      kind: 'bool',
      default: false,
      help: 'Enable collecting user privileges from mysql.user',
    }),
    maxSeries: maxSeriesFlag(NAME),
  },
  collect(flags) {
    const opts: UserOptions = {
      privileges: flags.privileges,
      maxSeries: flags.maxSeries,
    };
    // Column sets per target (and server version, so an upgrade is noticed); never module-level.
    const detected = new Lru<UserColumns>(PER_TARGET_MAX);
    return async (ctx) => {
      const key = `${ctx.targetKey}\u0000${ctx.server.versionString}`;
      let cols = detected.get(key);
      if (!cols) {
        const probe = await ctx.db.query(USER_COLUMNS_SQL);
        cols = detectUserColumns(probe.columns);
        detected.set(key, cols);
      }
      const allowed = maxRows(opts.maxSeries, seriesPerUser(cols, opts.privileges));
      const res = await ctx.db.query(userSql(cols, opts.privileges), [allowed + 1]);
      enforceRowCap(NAME, res.rows.length, allowed, opts.maxSeries);
      return userFamilies(res.rows, cols, opts.privileges);
    };
  },
});
