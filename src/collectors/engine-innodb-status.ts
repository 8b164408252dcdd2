/**
 * `engine_innodb_status`: a few InnoDB figures from the engine status report.
 * Source: SHOW ENGINE INNODB STATUS.
 * Not a query file: the values are parsed out of one free-text report, not read from columns.
 */
import type { MetricFamily } from '../model/metrics.js';
import { labelValue } from '../model/values.js';
import { defineCollector } from './collector-def.js';

const NAME = 'engine_innodb_status';

export const ENGINE_INNODB_STATUS_SQL = 'SHOW ENGINE INNODB STATUS';

const QUERIES = /^(\d+) queries inside InnoDB, (\d+) queries in queue\s*$/m;
const READ_VIEWS = /^(\d+) read views open inside InnoDB\s*$/m;

const gauge = (name: string, help: string, value: number): MetricFamily => ({
  name,
  help,
  type: 'gauge',
  samples: [{ labels: {}, value }],
});

/** Parses the Status text; lines that are absent give no family. */
export function parseInnodbStatus(text: string): MetricFamily[] {
  const out: MetricFamily[] = [];
  const q = QUERIES.exec(text);
  if (q) {
    out.push(gauge('mysql_engine_innodb_queries_inside_innodb', 'Queries inside InnoDB.', Number(q[1])));
    out.push(gauge('mysql_engine_innodb_queries_in_queue', 'Queries in queue.', Number(q[2])));
  }
  const r = READ_VIEWS.exec(text);
  if (r) {
    out.push(
      gauge(
        'mysql_engine_innodb_read_views_open_inside_innodb',
        'Read views open inside InnoDB.',
        Number(r[1]),
      ),
    );
  }
  return out;
}

export const engineInnodbStatus = defineCollector({
  name: NAME,
  help: 'Collect from SHOW ENGINE INNODB STATUS.',
  enabledByDefault: false,
  supports: { mysql: '>=5.1', mariadb: '>=5.1' },
  collect: () => async (ctx) => {
    const res = await ctx.db.query(ENGINE_INNODB_STATUS_SQL);
    const row = res.rows[0];
    if (!row) return [];
    return parseInnodbStatus(labelValue(row.Status));
  },
});
