/**
 * `slave_hosts`: one info series per replica registered with this source. The statement is chosen by
 * flavor and version, never by trying one and falling back: MySQL 8.0.22+ uses SHOW REPLICAS (SHOW
 * SLAVE HOSTS is gone in 8.4), older MySQL and every MariaDB use SHOW SLAVE HOSTS (MariaDB has no
 * SHOW REPLICAS). Columns are read by name, so the 4-column (no UUID), 5-column and
 * `--show-slave-auth-info` (User, Password) shapes and the Source_Id/Replica_UUID names all work.
 * The family keeps mysqld_exporter's name, with its spurious `heartbeat` part.
 * Source: SHOW REPLICAS or SHOW SLAVE HOSTS.
 * Not a query file: the statement is chosen by flavor and version, and the columns differ by server.
 
 */
import { type ServerInfo, atLeast } from '../model/server-info.js';
import type { Cell, Row } from '../model/rows.js';
import type { MetricFamily, Sample } from '../model/metrics.js';
import { labelValue } from '../model/values.js';
import { defineCollector } from './collector-def.js';

const NAME = 'slave_hosts';

export const SHOW_SLAVE_HOSTS = 'SHOW SLAVE HOSTS';
export const SHOW_REPLICAS = 'SHOW REPLICAS';

export function slaveHostsStatement(s: ServerInfo): string {
  return s.flavor === 'mysql' && atLeast(s, 8, 0, 22) ? SHOW_REPLICAS : SHOW_SLAVE_HOSTS;
}

/** Label -> accepted column names (compared lowercased). */
const LABEL_COLUMNS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['server_id', ['server_id']],
  ['slave_host', ['host']],
  ['port', ['port']],
  ['master_id', ['master_id', 'source_id']],
  ['slave_uuid', ['slave_uuid', 'replica_uuid']],
];

function pick(row: Row, byLower: ReadonlyMap<string, string>, names: readonly string[]): Cell {
  for (const n of names) {
    const column = byLower.get(n);
    if (column !== undefined) return row[column] ?? null;
  }
  return null;
}

export function slaveHostsFamilies(columns: readonly string[], rows: readonly Row[]): MetricFamily[] {
  const byLower = new Map(columns.map((c) => [c.toLowerCase(), c]));
  const samples: Sample[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const labels: Record<string, string> = {};
    for (const [label, names] of LABEL_COLUMNS) labels[label] = labelValue(pick(row, byLower, names));
    const key = LABEL_COLUMNS.map(([l]) => labels[l]).join('\u0000');
    if (seen.has(key)) continue;
    seen.add(key);
    samples.push({ labels, value: 1 });
  }
  if (samples.length === 0) return [];
  return [
    {
      name: 'mysql_heartbeat_mysql_slave_hosts_info',
      help: 'Information about running slaves',
      type: 'gauge',
      samples,
    },
  ];
}

export const slaveHosts = defineCollector({
  name: NAME,
  help: 'Scrape information from SHOW SLAVE HOSTS (SHOW REPLICAS on MySQL 8.0.22+).',
  enabledByDefault: false,
  supports: (s) => s.flavor === 'mysql' || s.flavor === 'mariadb',
  collect: () => async (ctx) => {
    const res = await ctx.db.query(slaveHostsStatement(ctx.server));
    return slaveHostsFamilies(res.columns, res.rows);
  },
});
