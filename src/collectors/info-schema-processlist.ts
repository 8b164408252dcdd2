/**
 * `info_schema.processlist`: thread counts and summed time by command and state, and process counts by
 * user and by client host, from information_schema.processlist (mysqld_exporter's names and labels).
 * Source: information_schema.processlist, grouped.
 * Not a query file: states and commands are normalised the way mysqld_exporter does, and three of the
 * four families are sums over groups.
 *
 * Unlike mysqld_exporter, the statement groups by the host without its port, so one row stands for
 * one (user, host, command, state) group rather than one connection. On MySQL >= 8.0.22 it reads
 * performance_schema.processlist instead (processlistStatement).
 */
import { flag } from '../config/flags.js';
import { atLeast, type ServerInfo } from '../model/server-info.js';
import { CollectorError } from '../errors.js';
import type { MetricFamily } from '../model/metrics.js';
import type { Row } from '../model/rows.js';
import { labelValue, parseNumber } from '../model/values.js';
import { defineCollector } from './collector-def.js';
import { FamilySet } from './family-set.js';
import { enforceRowCap, maxSeriesFlag } from './series-cap.js';

const NAME = 'info_schema.processlist';
const FLAG = `collect.${NAME}`;
const HELP = 'Collect current thread state counts from the information_schema.processlist.';

export const PROCESSLIST_SQL =
  "SELECT USER AS user, SUBSTRING_INDEX(HOST, ':', 1) AS host, COALESCE(COMMAND, '') AS command," +
  " COALESCE(STATE, '') AS state, COUNT(*) AS processes, SUM(TIME) AS seconds" +
  ' FROM information_schema.processlist WHERE ID != CONNECTION_ID() AND TIME >= ?' +
  " GROUP BY USER, SUBSTRING_INDEX(HOST, ':', 1), COMMAND, STATE LIMIT ?";

/**
 * MySQL >= 8.0.22: the same statement on performance_schema.processlist (information_schema.PROCESSLIST
 * is deprecated there and takes a global mutex); same columns, same metric names.
 */
export const PERF_SCHEMA_PROCESSLIST_SQL = PROCESSLIST_SQL.replace(
  'information_schema.processlist',
  'performance_schema.processlist',
);

export function processlistStatement(server: ServerInfo): string {
  return server.flavor === 'mysql' && atLeast(server, 8, 0, 22)
    ? PERF_SCHEMA_PROCESSLIST_SQL
    : PROCESSLIST_SQL;
}

const THREADS = 'mysql_info_schema_processlist_threads';
const SECONDS = 'mysql_info_schema_processlist_seconds';
const BY_USER = 'mysql_info_schema_processlist_processes_by_user';
const BY_HOST = 'mysql_info_schema_processlist_processes_by_host';

/**
 * mysqld_exporter's state/command normalisation: empty -> `unknown`, lowercased, `; , : . ( )`
 * removed, space and `-` -> `_`.
 */
export function sanitizeState(s: string): string {
  if (s === '') return 'unknown';
  return s
    .toLowerCase()
    .replace(/[;,:.()]/g, '')
    .replace(/[ -]/g, '_');
}

export interface ProcesslistOptions {
  readonly minTime: number;
  readonly byUser: boolean;
  readonly byHost: boolean;
  readonly maxSeries: number;
}

export function processlistFamilies(rows: readonly Row[], opts: ProcesslistOptions): MetricFamily[] {
  const threads = new Map<string, { command: string; state: string; count: number; seconds: number }>();
  const users = new Map<string, number>();
  const hosts = new Map<string, number>();
  for (const row of rows) {
    const count = parseNumber(row.processes) ?? 0;
    const seconds = parseNumber(row.seconds) ?? 0;
    const command = sanitizeState(labelValue(row.command));
    const state = sanitizeState(labelValue(row.state));
    const key = `${command}\u0000${state}`;
    const t = threads.get(key) ?? { command, state, count: 0, seconds: 0 };
    t.count += count;
    t.seconds += seconds;
    threads.set(key, t);
    const user = labelValue(row.user);
    users.set(user, (users.get(user) ?? 0) + count);
    const host = labelValue(row.host);
    hosts.set(host, (hosts.get(host) ?? 0) + count);
  }
  const out = new FamilySet();
  for (const t of threads.values()) {
    out.add(
      THREADS,
      'gauge',
      'The number of threads split by current state.',
      { command: t.command, state: t.state },
      t.count,
    );
  }
  for (const t of threads.values()) {
    out.add(
      SECONDS,
      'gauge',
      'The number of seconds threads have used split by current state.',
      { command: t.command, state: t.state },
      t.seconds,
    );
  }
  if (opts.byUser) {
    for (const [user, n] of users)
      out.add(BY_USER, 'gauge', 'The number of processes by user.', { mysql_user: user }, n);
  }
  if (opts.byHost) {
    for (const [host, n] of hosts)
      out.add(BY_HOST, 'gauge', 'The number of processes by host.', { client_host: host }, n);
  }
  if (out.series > opts.maxSeries) {
    throw new CollectorError(
      `${NAME}: ${out.series} series exceed ${opts.maxSeries}; raise --${FLAG}.max_series or turn off processes_by_user/processes_by_host`,
    );
  }
  return out.families();
}

export const infoSchemaProcesslist = defineCollector({
  name: NAME,
  help: HELP,
  enabledByDefault: false,
  supports: { mysql: '>=5.1', mariadb: '>=5.1' },
  flags: {
    minTime: flag({
      name: `${FLAG}.min_time`,
      kind: 'int',
      default: 0,
      min: 0,
      help: 'Minimum time a thread must be in each state to be counted.',
    }),
    processesByUser: flag({
      name: `${FLAG}.processes_by_user`,
      kind: 'bool',
      default: true,
      help: 'Enable collecting the number of processes by user.',
    }),
    processesByHost: flag({
      name: `${FLAG}.processes_by_host`,
      kind: 'bool',
      default: true,
      help: 'Enable collecting the number of processes by host.',
    }),
    maxSeries: maxSeriesFlag(NAME),
  },
  collect(flags) {
    const opts: ProcesslistOptions = {
      minTime: flags.minTime,
      byUser: flags.processesByUser,
      byHost: flags.processesByHost,
      maxSeries: flags.maxSeries,
    };
    return async (ctx) => {
      // One group yields at least one series, so more than max_series groups can never fit.
      const res = await ctx.db.query(processlistStatement(ctx.server), [opts.minTime, opts.maxSeries + 1]);
      enforceRowCap(NAME, res.rows.length, opts.maxSeries, opts.maxSeries);
      return processlistFamilies(res.rows, opts);
    };
  },
});
