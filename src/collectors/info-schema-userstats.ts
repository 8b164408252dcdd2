/**
 * `info_schema.userstats`: information_schema.user_statistics (Percona Server and MariaDB with
 * `userstat=ON`) as `mysql_info_schema_user_statistics_*{user}`. Known columns get mysqld_exporter's
 * names and types; any other column becomes an untyped `..._user_statistics_<column>`.
 * Source: SHOW GLOBAL VARIABLES LIKE 'userstat%', then information_schema.user_statistics.
 * Not a query file: the second statement depends on the gate, and unknown columns become untyped families.
 *
 * The shared machinery is also used by `info_schema.clientstats` (client_statistics, label `client`).
 * Gate: `userstat` (or Percona 5.5's `userstat_running`) must be ON; when it is OFF the collector
 * emits nothing (as mysqld_exporter does); when the server has no such variable it fails with one
 * reason. Oracle MySQL has no user statistics at all, so the collector does not run there.
 */
import type { ServerInfo } from '../model/server-info.js';
import { CollectorError } from '../errors.js';
import type { MetricFamily, MetricType } from '../model/metrics.js';
import type { QueryResult } from '../model/rows.js';
import { labelValue, parseNumber } from '../model/values.js';
import { sanitizeName } from '../model/metrics.js';
import type { CollectorDef } from '../model/collector.js';
import { defineCollector } from './collector-def.js';
import { FamilySet } from './family-set.js';
import { maxSeriesFlag } from './series-cap.js';

export const USERSTAT_GATE_SQL =
  "SHOW GLOBAL VARIABLES WHERE Variable_name = 'userstat' OR Variable_name = 'userstat_running'";
export const USER_STATISTICS_SQL = 'SELECT * FROM information_schema.user_statistics LIMIT ?';
export const CLIENT_STATISTICS_SQL = 'SELECT * FROM information_schema.client_statistics LIMIT ?';

interface Known {
  readonly suffix: string;
  readonly type: MetricType;
  readonly help: string;
}

const c = (suffix: string, help: string): Known => ({ suffix, type: 'counter', help });

/** mysqld_exporter's names for the known columns of user_statistics and client_statistics. */
const KNOWN: Readonly<Record<string, Known>> = {
  TOTAL_CONNECTIONS: c('total_connections', 'The number of connections created.'),
  CONCURRENT_CONNECTIONS: {
    suffix: 'concurrent_connections',
    type: 'gauge',
    help: 'The number of concurrent connections.',
  },
  CONNECTED_TIME: c(
    'connected_time_seconds_total',
    'The cumulative number of seconds elapsed while there were connections.',
  ),
  BUSY_TIME: c('busy_seconds_total', 'The cumulative number of seconds there was activity on connections.'),
  CPU_TIME: c(
    'cpu_time_seconds_total',
    'The cumulative CPU time elapsed, in seconds, while servicing connections.',
  ),
  BYTES_RECEIVED: c('bytes_received_total', 'The number of bytes received.'),
  BYTES_SENT: c('bytes_sent_total', 'The number of bytes sent.'),
  BINLOG_BYTES_WRITTEN: c('binlog_bytes_written_total', 'The number of bytes written to the binary log.'),
  ROWS_READ: c('rows_read_total', 'The number of rows read.'),
  ROWS_SENT: c('rows_sent_total', 'The number of rows sent.'),
  ROWS_DELETED: c('rows_deleted_total', 'The number of rows deleted.'),
  ROWS_INSERTED: c('rows_inserted_total', 'The number of rows inserted.'),
  ROWS_FETCHED: c('rows_fetched_total', 'The number of rows fetched.'),
  ROWS_UPDATED: c('rows_updated_total', 'The number of rows updated.'),
  TABLE_ROWS_READ: c('table_rows_read_total', 'The number of rows read from tables.'),
  SELECT_COMMANDS: c('select_commands_total', 'The number of SELECT commands executed.'),
  UPDATE_COMMANDS: c('update_commands_total', 'The number of UPDATE commands executed.'),
  OTHER_COMMANDS: c('other_commands_total', 'The number of other commands executed.'),
  COMMIT_TRANSACTIONS: c('commit_transactions_total', 'The number of COMMIT commands issued.'),
  ROLLBACK_TRANSACTIONS: c('rollback_transactions_total', 'The number of ROLLBACK commands issued.'),
  DENIED_CONNECTIONS: c('denied_connections_total', 'The number of connections denied.'),
  LOST_CONNECTIONS: c('lost_connections_total', 'The number of connections that were terminated uncleanly.'),
  ACCESS_DENIED: c('access_denied_total', 'The number of times access was denied.'),
  EMPTY_QUERIES: c('empty_queries_total', 'The number of queries that returned no rows.'),
  TOTAL_SSL_CONNECTIONS: c('total_ssl_connections_total', 'The number of SSL connections created.'),
};

/** client_statistics knows one more column than user_statistics in mysqld_exporter. */
const CLIENT_ONLY: Readonly<Record<string, Known>> = {
  MAX_STATEMENT_TIME_EXCEEDED: c(
    'max_statement_time_exceeded_total',
    'The number of statements that exceeded max_statement_time.',
  ),
};

export interface StatisticsKind {
  readonly name: 'info_schema.userstats' | 'info_schema.clientstats';
  readonly help: string;
  readonly sql: string;
  /** `user_statistics` / `client_statistics`: the family prefix after `mysql_info_schema_`. */
  readonly table: string;
  /** The key column (USER / CLIENT) and its label. */
  readonly keyColumn: string;
  readonly label: string;
  readonly known: Readonly<Record<string, Known>>;
}

export const USER_STATISTICS: StatisticsKind = {
  name: 'info_schema.userstats',
  help: 'If running with userstat=1, set to true to collect user statistics',
  sql: USER_STATISTICS_SQL,
  table: 'user_statistics',
  keyColumn: 'USER',
  label: 'user',
  known: KNOWN,
};

export const CLIENT_STATISTICS: StatisticsKind = {
  name: 'info_schema.clientstats',
  help: 'If running with userstat=1, set to true to collect client statistics',
  sql: CLIENT_STATISTICS_SQL,
  table: 'client_statistics',
  keyColumn: 'CLIENT',
  label: 'client',
  known: { ...KNOWN, ...CLIENT_ONLY },
};

/** MariaDB (5.2+) and Percona Server have user statistics; Oracle MySQL does not. */
export function hasUserStatistics(s: ServerInfo): boolean {
  return s.flavor === 'mariadb' || s.percona;
}

/** Rows of the statistics table as families; column names are matched case-insensitively. */
export function statisticsFamilies(kind: StatisticsKind, res: QueryResult): MetricFamily[] {
  const keyColumn = res.columns.find((col) => col.toUpperCase() === kind.keyColumn) ?? res.columns[0];
  if (keyColumn === undefined) throw new CollectorError(`${kind.name}: ${kind.table} returned no columns`);
  const prefix = `mysql_info_schema_${kind.table}_`;
  const metrics = res.columns
    .filter((col) => col !== keyColumn)
    .map((col) => {
      const known = kind.known[col.toUpperCase()];
      return known
        ? { col, name: prefix + known.suffix, type: known.type, help: known.help }
        : {
            col,
            name: prefix + sanitizeName(col),
            type: 'untyped' as const,
            help: `Unsupported metric from column ${col}`,
          };
    });
  const out = new FamilySet();
  for (const m of metrics) {
    for (const row of res.rows) {
      out.add(m.name, m.type, m.help, { [kind.label]: labelValue(row[keyColumn]) }, parseNumber(row[m.col]));
    }
  }
  return out.families();
}

function isOn(v: unknown): boolean {
  const s = String(v ?? '').toUpperCase();
  return s === 'ON' || s === '1';
}

export function statisticsDef(kind: StatisticsKind): CollectorDef {
  return defineCollector({
    name: kind.name,
    help: kind.help,
    enabledByDefault: false,
    supports: hasUserStatistics,
    flags: { maxSeries: maxSeriesFlag(kind.name) },
    collect(flags) {
      const maxSeries = flags.maxSeries;
      return async (ctx) => {
        const gate = await ctx.db.query(USERSTAT_GATE_SQL);
        const row = gate.rows[0];
        if (!row)
          throw new CollectorError(`${kind.name}: the server has no userstat variable (no user statistics)`);
        const value = row.Value ?? row.VALUE ?? row.value;
        if (!isOn(value)) {
          ctx.log.debug('userstat is OFF; no statistics collected', { collector: kind.name });
          return [];
        }
        // Every row yields at least one series, so max_series + 1 rows always suffice to detect excess.
        const res = await ctx.db.query(kind.sql, [maxSeries + 1]);
        const families = statisticsFamilies(kind, res);
        const series = families.reduce((n, f) => n + f.samples.length, 0);
        if (res.rows.length > maxSeries || series > maxSeries) {
          throw new CollectorError(
            `${kind.name}: more than ${maxSeries} series (${res.rows.length}${res.rows.length > maxSeries ? '+' : ''} ${kind.label}s); ` +
              `raise --collect.${kind.name}.max_series`,
          );
        }
        return families;
      };
    },
  });
}

export const infoSchemaUserstats: CollectorDef = statisticsDef(USER_STATISTICS);
