/**
 * `info_schema.innodb_metrics`: InnoDB metrics counters (enabled ones).
 * Source: information_schema.innodb_metrics.
 * Not a query file: names and types come from the rows (subsystem, counter type), and the buffer pool
 * page rows are regrouped.
 */
import { type ServerInfo, atLeast } from '../model/server-info.js';
import type { CollectContext } from '../model/collector.js';
import type { MetricFamily } from '../model/metrics.js';
import type { Row } from '../model/rows.js';
import { labelValue, parseNumber } from '../model/values.js';
import { defineCollector } from './collector-def.js';
import { FamilySet } from './family-set.js';

const NAME = 'info_schema.innodb_metrics';
const HELP = 'Collect metrics from information_schema.innodb_metrics';

const SELECT =
  'SELECT NAME AS name, SUBSYSTEM AS subsystem, TYPE AS type, COMMENT AS comment, COUNT AS count';
export const METRICS_BY_STATUS_SQL = `${SELECT} FROM information_schema.innodb_metrics WHERE STATUS = 'enabled'`;
export const METRICS_BY_ENABLED_SQL = `${SELECT} FROM information_schema.innodb_metrics WHERE ENABLED = 1`;

export function innodbMetricsSql(s: ServerInfo): string {
  return s.flavor === 'mariadb' && atLeast(s, 10, 5) ? METRICS_BY_ENABLED_SQL : METRICS_BY_STATUS_SQL;
}

const PREFIX = 'mysql_info_schema_innodb_metrics_';
const BUFFER_PAGE = /^buffer_page_(read|written)_(.+)$/;
const BUFFER_POOL_PAGES = /^buffer_pool_pages_(.+)$/;

/** Names keep their case (`buffer_LRU_batch_evict_total_pages`), as in mysqld_exporter. */
const metricPart = (s: string) => s.replace(/[^a-zA-Z0-9_]/g, '_');

export function innodbMetricsFamilies(rows: readonly Row[], log?: CollectContext['log']): MetricFamily[] {
  const out = new FamilySet();
  for (const r of rows) {
    const name = labelValue(r.name);
    const subsystem = labelValue(r.subsystem);
    const type = labelValue(r.type);
    const value = parseNumber(r.count);
    if (value === undefined) continue;
    if (subsystem === 'buffer_page_io') {
      const m = BUFFER_PAGE.exec(name);
      if (!m) {
        log?.debug('innodb_metrics: unexpected buffer_page_io counter', { name });
        continue;
      }
      if (m[1] === 'read') {
        out.add(
          `${PREFIX}buffer_page_read_total`,
          'counter',
          'Total number of buffer pages read total.',
          { type: m[2]! },
          value,
        );
      } else {
        out.add(
          `${PREFIX}buffer_page_written_total`,
          'counter',
          'Total number of buffer pages written total.',
          { type: m[2]! },
          value,
        );
      }
      continue;
    }
    if (subsystem === 'buffer') {
      const m = BUFFER_POOL_PAGES.exec(name);
      if (m) {
        const state = m[1]!;
        // `total` is the sum of the other states; dirty pages are a subset of data pages.
        if (state === 'total') continue;
        if (state === 'dirty') {
          out.add(
            `${PREFIX}buffer_pool_dirty_pages`,
            'gauge',
            'Total number of dirty pages in the buffer pool.',
            {},
            value,
          );
        } else {
          out.add(
            `${PREFIX}buffer_pool_pages`,
            'gauge',
            'Total number of buffer pool pages by state.',
            { state },
            value,
          );
        }
        continue;
      }
    }
    const base = `${PREFIX}${metricPart(subsystem)}_${metricPart(name)}`;
    const help = labelValue(r.comment);
    // Counters can read negative (MySQL bug 75966); those are reported as gauges, as upstream does.
    if ((type === 'counter' || type === 'status_counter') && value >= 0) {
      out.add(`${base}_total`, 'counter', help, {}, value);
    } else {
      out.add(base, 'gauge', help, {}, value);
    }
  }
  return out.families();
}

export const infoSchemaInnodbMetrics = defineCollector({
  name: NAME,
  help: HELP,
  enabledByDefault: false,
  supports: { mysql: '>=5.6', mariadb: '>=10.0' },
  collect: () => async (ctx) => {
    const res = await ctx.db.query(innodbMetricsSql(ctx.server));
    return innodbMetricsFamilies(res.rows, ctx.log);
  },
});
