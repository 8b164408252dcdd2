/**
 * `heartbeat`: the timestamp pt-heartbeat (or a compatible tool) last stored per server_id, and the
 * server's current time, so that `now - stored` is the replication delay.
 * Source: SELECT ... FROM <database>.<table> (pt-heartbeat's table, named by flags).
 * Not a query file: the table is named by flags (quoted identifiers, not parameters).
 *
 * The database and table come from flags and can only be identifiers, never placeholders: each is
 * quoted with backticks, backticks inside doubled. The statement is sent without parameters, so a
 * `?` in a name is never taken for a placeholder.
 */
import { flag } from '../config/flags.js';
import { CollectorError } from '../errors.js';
import type { MetricFamily, Sample } from '../model/metrics.js';
import { labelValue, parseNumber } from '../model/values.js';
import { defineCollector } from './collector-def.js';

const NAME = 'heartbeat';
const FLAG = `collect.${NAME}`;

const SELECT_LOCAL =
  'SELECT UNIX_TIMESTAMP(ts) AS stored_ts, UNIX_TIMESTAMP(NOW(6)) AS now_ts, server_id FROM ';
const SELECT_UTC =
  'SELECT UNIX_TIMESTAMP(ts) AS stored_ts, UNIX_TIMESTAMP(UTC_TIMESTAMP(6)) AS now_ts, server_id FROM ';

/** A MySQL identifier in backticks; a backtick inside is doubled. NUL cannot be in an identifier. */
export function quoteIdentifier(name: string): string {
  if (name.length === 0) throw new CollectorError('empty identifier');
  if (name.includes('\u0000')) throw new CollectorError('identifier contains a NUL character');
  return `\`${name.replace(/`/g, '``')}\``;
}

export function heartbeatSql(database: string, table: string, utc: boolean): string {
  return `${utc ? SELECT_UTC : SELECT_LOCAL}${quoteIdentifier(database)}.${quoteIdentifier(table)}`;
}

export interface HeartbeatOptions {
  readonly database: string;
  readonly table: string;
  readonly utc: boolean;
}

export const heartbeat = defineCollector({
  name: NAME,
  help: 'Collect from heartbeat.',
  enabledByDefault: false,
  supports: { mysql: '>=5.1', mariadb: '>=5.1' },
  flags: {
    database: flag({
      name: `${FLAG}.database`,
      kind: 'string',
      default: 'heartbeat',
      help: 'Database from where to collect heartbeat data.',
    }),
    table: flag({
      name: `${FLAG}.table`,
      kind: 'string',
      default: 'heartbeat',
      help: 'Table from where to collect heartbeat data.',
    }),
    utc: flag({
      name: `${FLAG}.utc`,
      kind: 'bool',
      default: false,
      help: 'Use UTC for timestamps of the current server (`pt-heartbeat` is called with `--utc`).',
    }),
  },
  collect(flags) {
    const opts: HeartbeatOptions = {
      database: flags.database,
      table: flags.table,
      utc: flags.utc,
    };
    return async (ctx) => {
      let sql: string;
      try {
        sql = heartbeatSql(opts.database, opts.table, opts.utc);
      } catch (err) {
        throw new CollectorError(`--${FLAG}.database/--${FLAG}.table: ${(err as Error).message}`);
      }
      const res = await ctx.db.query(sql);
      const stored: Sample[] = [];
      const now: Sample[] = [];
      const seen = new Set<string>();
      for (const row of res.rows) {
        const serverId = labelValue(row.server_id);
        if (seen.has(serverId)) continue;
        seen.add(serverId);
        const s = parseNumber(row.stored_ts);
        const n = parseNumber(row.now_ts);
        if (s !== undefined) stored.push({ labels: { server_id: serverId }, value: s });
        if (n !== undefined) now.push({ labels: { server_id: serverId }, value: n });
      }
      const families: MetricFamily[] = [
        {
          name: 'mysql_heartbeat_stored_timestamp_seconds',
          help: 'Timestamp stored in the heartbeat table.',
          type: 'gauge',
          samples: stored,
        },
        {
          name: 'mysql_heartbeat_now_timestamp_seconds',
          help: 'Timestamp of the current server.',
          type: 'gauge',
          samples: now,
        },
      ];
      return families.filter((f) => f.samples.length > 0);
    };
  },
});
