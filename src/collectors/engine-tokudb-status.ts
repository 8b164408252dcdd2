/**
 * `engine_tokudb_status`: every numeric row of SHOW ENGINE TOKUDB STATUS as an untyped
 * `mysql_engine_tokudb_<name>`. TokuDB only ever shipped with Percona Server (5.6 up to 8.0.27; removed
 * in 8.0.28) and MariaDB (up to 10.4; removed in 10.5), so on Oracle MySQL, newer Percona Server and
 * MariaDB 10.5+ the collector runs no query. Where the engine could exist but is not loaded, the one
 * statement fails with a one-line reason.
 * Source: SHOW ENGINE TOKUDB STATUS.
 * Not a query file: metric names are built from row values (the status keys), with mysqld_exporter's
 * name rules.
 *
 * Names as in mysqld_exporter: the key is lowercased, `>` `,` `:` `(` `)` are dropped, space and `-`
 * become `_`, `+` and `/` become `and`. Any other character that is not valid in a metric name
 * becomes `_` (mysqld_exporter would emit an invalid name); if two keys then collide, the first wins.
 */
import { type ServerInfo, supportPredicate } from '../model/server-info.js';
import { CollectorError, QueryError, errorMessage } from '../errors.js';
import type { MetricFamily } from '../model/metrics.js';
import type { QueryResult, Row } from '../model/rows.js';
import { sanitizeName } from '../model/metrics.js';
import { labelValue, parseStatusValue } from '../model/values.js';
import { defineCollector } from './collector-def.js';

const NAME = 'engine_tokudb_status';

export const ENGINE_TOKUDB_STATUS_SQL = 'SHOW ENGINE TOKUDB STATUS';

const perconaRange = supportPredicate({ mysql: '>=5.6 <8.0.28' });
const mariadbRange = supportPredicate({ mariadb: '>=5.5 <10.5' });

export function tokudbPossible(s: ServerInfo): boolean {
  return s.flavor === 'mariadb' ? mariadbRange(s) : s.percona && perconaRange(s);
}

export function sanitizeTokudbName(key: string): string {
  const replaced = key
    .toLowerCase()
    .replace(/[>,:()]/g, '')
    .replace(/[ -]/g, '_')
    .replace(/[+/]/g, 'and');
  return sanitizeName(replaced);
}

export function tokudbFamilies(rows: readonly Row[]): MetricFamily[] {
  const out: MetricFamily[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const key = labelValue(row.Name);
    const value = parseStatusValue(row.Status);
    if (key === '' || value === undefined) continue;
    const name = `mysql_engine_tokudb_${sanitizeTokudbName(key)}`;
    if (seen.has(name)) continue;
    seen.add(name);
    out.push({
      name,
      help: 'Generic metric from SHOW ENGINE TOKUDB STATUS.',
      type: 'untyped',
      samples: [{ labels: {}, value }],
    });
  }
  return out;
}

export const engineTokudbStatus = defineCollector({
  name: NAME,
  help: 'Collect from SHOW ENGINE TOKUDB STATUS.',
  enabledByDefault: false,
  supports: tokudbPossible,
  collect: () => async (ctx) => {
    let res: QueryResult;
    try {
      res = await ctx.db.query(ENGINE_TOKUDB_STATUS_SQL);
    } catch (err) {
      if (err instanceof QueryError && /unknown storage engine/i.test(err.message)) {
        throw new CollectorError(
          `TokuDB is not loaded on this server (${errorMessage(err)}); turn off --collect.${NAME}`,
          { cause: err },
        );
      }
      throw err;
    }
    return tokudbFamilies(res.rows);
  },
});
