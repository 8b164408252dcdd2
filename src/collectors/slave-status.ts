/**
 * slave_status: replica status, one statement per scrape chosen by flavor and version (no failing
 * fallback chain as in mysqld_exporter):
 * - MariaDB >= 10.0      `SHOW ALL SLAVES STATUS` (every named connection; Connection_name, Gtid_*_Pos)
 * - MariaDB < 10.0       `SHOW SLAVE STATUS`
 * - MySQL >= 8.0.22      `SHOW REPLICA STATUS` (Source_* / Replica_* column names)
 * - MySQL < 8.0.22       `SHOW SLAVE STATUS`
 * Source: SHOW ALL SLAVES STATUS, SHOW REPLICA STATUS or SHOW SLAVE STATUS.
 * Not a query file: every column whose value parses becomes a family, with labels from other columns.
 *
 * Mapping, per row (one row per channel / connection):
 * - every column whose value parses (Yes/No/Connecting, numbers, timestamps; NULL and text skipped) ->
 *   mysql_slave_status_<lowercased column>{master_host,master_uuid,channel_name,connection_name}  untyped
 *   master_host = Master_Host or Source_Host, master_uuid = Master_UUID or Source_UUID,
 *   channel_name = Channel_Name (MySQL) or "", connection_name = Connection_name (MariaDB) or "".
 * - Source/Replica columns are ALSO exported under the pre-8.0.22 name that dashboards and the
 *   mysqld-mixin alerts use (legacyReplicaColumn: Seconds_Behind_Source -> seconds_behind_master,
 *   Replica_IO_Running -> slave_io_running, Relay_Source_Log_File -> relay_master_log_file, ...).
 * - MariaDB `Gtid_IO_Pos` / `Gtid_Slave_Pos` (`domain-server-seq[,domain-server-seq...]`) ->
 *   mysql_slave_status_gtid_io_pos / mysql_slave_status_gtid_slave_pos{..., domain_id, server_id} = seq_no  gauge
 */
import { atLeast, type ServerInfo } from '../model/server-info.js';
import { labelValue, parseStatusValue } from '../model/values.js';
import { sanitizeName } from '../model/metrics.js';
import type { Labels, MetricFamily } from '../model/metrics.js';
import type { QueryResult, Row } from '../model/rows.js';
import { defineCollector } from './collector-def.js';
import { FamilySet } from './family-set.js';

export const SHOW_ALL_SLAVES_STATUS_SQL = 'SHOW ALL SLAVES STATUS';
export const SHOW_REPLICA_STATUS_SQL = 'SHOW REPLICA STATUS';
export const SHOW_SLAVE_STATUS_SQL = 'SHOW SLAVE STATUS';

const PREFIX = 'mysql_slave_status_';
const GENERIC_HELP = 'Generic metric from SHOW SLAVE STATUS.';

/** The one statement this server understands; never a chain of failing statements. */
export function slaveStatusStatement(server: ServerInfo): string {
  if (server.flavor === 'mariadb')
    return atLeast(server, 10, 0) ? SHOW_ALL_SLAVES_STATUS_SQL : SHOW_SLAVE_STATUS_SQL;
  return atLeast(server, 8, 0, 22) ? SHOW_REPLICA_STATUS_SQL : SHOW_SLAVE_STATUS_SQL;
}

/**
 * The pre-8.0.22 name of a lowercased SHOW REPLICA STATUS column: the words `source` and `replica`
 * become `master` and `slave` (whole `_`-separated words only, so `replicate_do_db` is untouched).
 * Names without those words come back unchanged.
 */
export function legacyReplicaColumn(lowercased: string): string {
  return lowercased
    .split('_')
    .map((w) => (w === 'source' ? 'master' : w === 'replica' ? 'slave' : w))
    .join('_');
}

const GTID_COLUMNS: Readonly<Record<string, { readonly name: string; readonly help: string }>> = {
  gtid_io_pos: {
    name: `${PREFIX}gtid_io_pos`,
    help: 'MariaDB Gtid_IO_Pos from SHOW ALL SLAVES STATUS: the last GTID sequence number received, per domain and server.',
  },
  gtid_slave_pos: {
    name: `${PREFIX}gtid_slave_pos`,
    help: 'MariaDB Gtid_Slave_Pos from SHOW ALL SLAVES STATUS: the last GTID sequence number applied, per domain and server.',
  },
};

const GTID_RE = /^(\d+)-(\d+)-(\d+)$/;

/** `0-1-100,1-2-7` -> [{domain 0, server 1, seq 100}, ...]; malformed entries are skipped. */
export function parseGtidList(s: string): Array<{ domainId: string; serverId: string; seqNo: number }> {
  const out: Array<{ domainId: string; serverId: string; seqNo: number }> = [];
  for (const part of s.split(',')) {
    const m = GTID_RE.exec(part.trim());
    if (!m) continue;
    const seqNo = Number(m[3]);
    if (Number.isFinite(seqNo)) out.push({ domainId: m[1] ?? '', serverId: m[2] ?? '', seqNo });
  }
  return out;
}

/** Maps a SHOW [ALL] SLAVES / REPLICA STATUS result to metric families. Exported for tests. */
export function mapSlaveStatus(res: QueryResult): MetricFamily[] {
  // Columns by lowercased name: MySQL says Channel_Name, MariaDB Connection_name.
  const byLower = new Map<string, string>();
  for (const c of res.columns) if (!byLower.has(c.toLowerCase())) byLower.set(c.toLowerCase(), c);
  const cell = (row: Row, ...names: string[]) => {
    for (const n of names) {
      const col = byLower.get(n);
      if (col !== undefined) return row[col];
    }
    return undefined;
  };
  // Per column, computed once per result: metric name, its legacy alias (if any), GTID handling.
  const plan = res.columns.map((col) => {
    const lower = sanitizeName(col);
    const legacy = legacyReplicaColumn(lower);
    return {
      col,
      name: PREFIX + lower,
      alias: legacy !== lower && !byLower.has(legacy) ? PREFIX + legacy : undefined,
      gtid: GTID_COLUMNS[lower],
    };
  });

  const out = new FamilySet({ firstWins: true });
  for (const row of res.rows) {
    const labels: Labels = {
      master_host: labelValue(cell(row, 'master_host', 'source_host')),
      master_uuid: labelValue(cell(row, 'master_uuid', 'source_uuid')),
      channel_name: labelValue(cell(row, 'channel_name')),
      connection_name: labelValue(cell(row, 'connection_name')),
    };
    for (const p of plan) {
      const raw = row[p.col];
      if (p.gtid) {
        for (const g of parseGtidList(labelValue(raw))) {
          out.add(
            p.gtid.name,
            'gauge',
            p.gtid.help,
            { ...labels, domain_id: g.domainId, server_id: g.serverId },
            g.seqNo,
          );
        }
        continue;
      }
      const value = parseStatusValue(raw);
      if (value === undefined) continue;
      out.add(p.name, 'untyped', GENERIC_HELP, labels, value);
      if (p.alias !== undefined) out.add(p.alias, 'untyped', GENERIC_HELP, labels, value);
    }
  }
  return out.families();
}

export const slaveStatusCollector = defineCollector({
  name: 'slave_status',
  help: 'Collect from SHOW SLAVE STATUS',
  enabledByDefault: true,
  supports: { mysql: '>=5.1', mariadb: '>=5.1' },
  collect: () => async (ctx) => mapSlaveStatus(await ctx.db.query(slaveStatusStatement(ctx.server))),
});
