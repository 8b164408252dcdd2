/**
 * The replay table of the MySQL 8 replay server (test/helpers/mysql8-replay.ts): which statement is
 * answered from which captured result set (test/fixtures, provenance in its README). Files under
 * `mysql-8.x-constructed/` were built from MySQL's documented column lists, not captured; the README
 * says so. Two answers are derived from captures by a documented rule (column renames of MySQL
 * 8.0.22, grouping of a captured processlist); the rule is applied here, in code, not by hand.
 */
import type { QueryResult, Row } from '../../src/model/rows.js';
import { loadText, loadTsv } from './fixtures.js';
import type { ReplayAnswer } from './mysql8-replay.js';

/**
 * MySQL 8.0.22 renamed SHOW SLAVE STATUS columns for SHOW REPLICA STATUS: the words Master and Slave
 * (any case, whole `_`-separated words) became Source and Replica.
 */
export function replicaColumnName(column: string): string {
  return column
    .split('_')
    .map((w) => (/^master$/i.test(w) ? 'Source' : /^slave$/i.test(w) ? 'Replica' : w))
    .join('_');
}

function renameColumns(r: QueryResult, rename: (c: string) => string): QueryResult {
  const columns = r.columns.map(rename);
  const rows = r.rows.map((row) => {
    const out: Record<string, Row[string]> = {};
    r.columns.forEach((c, i) => {
      out[columns[i] ?? c] = row[c] ?? null;
    });
    return out;
  });
  return { columns, rows };
}

/** SHOW REPLICA STATUS: the MySQL 8.0.30 two-channel capture under the 8.0.22 column names. */
export const showReplicaStatus = (): QueryResult =>
  renameColumns(loadTsv('mysql-8.0.30/show-slave-status.tsv'), replicaColumnName);

/** SHOW REPLICAS: the Percona 8.0.32 SHOW SLAVE HOSTS capture under the 8.0.22 names. */
export const showReplicas = (): QueryResult =>
  renameColumns(loadTsv('percona-server-8.0.32/show-slave-hosts.tsv'), (c) =>
    c === 'Master_id' ? 'Source_Id' : c === 'Slave_UUID' ? 'Replica_UUID' : c,
  );

/**
 * What our processlist statement returns on the server of the Percona 8.0.32 SHOW FULL PROCESSLIST
 * capture, minus the row of the capturing session itself (our statement excludes CONNECTION_ID()):
 * grouped by user, host without port, command and state.
 */
export function groupedProcesslist(): QueryResult {
  const src = loadTsv('percona-server-8.0.32/show-full-processlist.tsv');
  const groups = new Map<string, Record<string, string>>();
  for (const r of src.rows) {
    if (String(r.Info ?? '') === 'SHOW FULL PROCESSLIST') continue;
    const host = String(r.Host ?? '').split(':')[0] ?? '';
    const key = [r.User, host, r.Command, r.State ?? ''].join('\u0000');
    const g = groups.get(key) ?? {
      user: String(r.User ?? ''),
      host,
      command: String(r.Command ?? ''),
      state: String(r.State ?? ''),
      processes: '0',
      seconds: '0',
    };
    g.processes = String(Number(g.processes) + 1);
    g.seconds = String(Number(g.seconds) + Number(r.Time ?? 0));
    groups.set(key, g);
  }
  return {
    columns: ['user', 'host', 'command', 'state', 'processes', 'seconds'],
    rows: [...groups.values()],
  };
}

const columnsOnly = (r: QueryResult): QueryResult => ({ columns: r.columns, rows: [] });
const C = 'mysql-8.x-constructed';

/** Every statement the replay answers, most specific first. */
/**
 * MySQL's statement histogram bucket bounds in picoseconds, as the server builds them
 * (pfs_histogram.cc): timer[0] = 0, timer[1] = 10 us = 10^7 ps, timer[n+1] = 1.0471285480508996 x
 * timer[n] (10^(1/50)), kept as a double and stored truncated; 450 buckets, the last one open.
 * Checked against the rows printed in the MySQL manual (buckets 42-44).
 */
export function mysqlHistogramTimers(): number[] {
  const t = [0, 1e7];
  let current = 1e7;
  for (let i = 2; i < 450; i++) {
    current *= 1.0471285480508996;
    t.push(Math.trunc(current));
  }
  return t;
}

/**
 * events_statements_histogram_global as our statement selects it, derived in code (no capture of
 * the whole table exists): the documented bounds, the last bucket's high bound the largest
 * ulonglong, a few counts (12 statements under 10 us, 30 in bucket 42, 5 in bucket 200, 1 in the
 * open bucket), SUM_TIMER_WAIT 0.5 s.
 */
export function statementsHistogramGlobal(): QueryResult {
  const t = mysqlHistogramTimers();
  const counts = new Map([
    [0, 12],
    [42, 30],
    [200, 5],
    [449, 1],
  ]);
  const columns = ['BUCKET_NUMBER', 'BUCKET_TIMER_HIGH', 'COUNT_BUCKET', 'SUM_TIMER_WAIT'];
  const rows: Row[] = t.map((_, n) => ({
    BUCKET_NUMBER: String(n),
    BUCKET_TIMER_HIGH: n === 449 ? '18446744073709551615' : String(t[n + 1]),
    COUNT_BUCKET: String(counts.get(n) ?? 0),
    SUM_TIMER_WAIT: '500000000000',
  }));
  return { columns, rows };
}

export const MYSQL8_ANSWERS: readonly ReplayAnswer[] = [
  {
    match: /^SHOW GLOBAL STATUS$/i,
    result: () => loadTsv('mysql-8.0.30/show-global-status.tsv'),
    source: 'mysql-8.0.30/show-global-status.tsv',
  },
  {
    match: /^SHOW GLOBAL VARIABLES$/i,
    result: () => loadTsv('percona-server-8.4.5/show-global-variables.tsv'),
    source: 'percona-server-8.4.5/show-global-variables.tsv',
  },
  {
    match: /^SHOW REPLICA STATUS$/i,
    result: showReplicaStatus,
    source: 'mysql-8.0.30/show-slave-status.tsv, 8.0.22 column names',
  },
  {
    match: /^SHOW SLAVE STATUS$/i,
    result: () => loadTsv('mysql-8.0.30/show-slave-status.tsv'),
    source: 'mysql-8.0.30/show-slave-status.tsv',
  },
  {
    match: /^SHOW REPLICAS$/i,
    result: showReplicas,
    source: 'percona-server-8.0.32/show-slave-hosts.tsv, renamed',
  },
  {
    match: /^SHOW ENGINE INNODB STATUS$/i,
    result: () => ({
      columns: ['Type', 'Name', 'Status'],
      rows: [
        { Type: 'InnoDB', Name: '', Status: `\n${loadText('mysql-8.0/show-engine-innodb-status.txt')}` },
      ],
    }),
    source: 'mysql-8.0/show-engine-innodb-status.txt',
  },
  {
    match: /FROM (performance_schema|information_schema)\.processlist WHERE ID != CONNECTION_ID\(\)/i,
    result: groupedProcesslist,
    source: 'percona-server-8.0.32/show-full-processlist.tsv, grouped',
  },
  {
    match: /^SELECT \* FROM information_schema\.INNODB_TABLESPACES LIMIT 0$/i,
    result: () => columnsOnly(loadTsv(`${C}/information_schema.innodb_tablespaces.tsv`)),
    source: `${C}/information_schema.innodb_tablespaces.tsv (columns)`,
  },
  {
    match: /FROM information_schema\.INNODB_TABLESPACES\b/i,
    result: () => loadTsv(`${C}/information_schema.innodb_tablespaces.tsv`),
    source: `${C}/information_schema.innodb_tablespaces.tsv`,
  },
  {
    match: /^SELECT page_size, compress_ops, .* FROM information_schema\.innodb_cmp$/i,
    result: () => loadTsv(`${C}/information_schema.innodb_cmp.tsv`),
    source: `${C}/information_schema.innodb_cmp.tsv`,
  },
  {
    match: /^SELECT page_size, buffer_pool_instance, .* FROM information_schema\.innodb_cmpmem$/i,
    result: () => loadTsv(`${C}/information_schema.innodb_cmpmem.tsv`),
    source: `${C}/information_schema.innodb_cmpmem.tsv`,
  },
  {
    match:
      /^SELECT IFNULL\(SCHEMA_NAME, 'NONE'\) AS SCHEMA_NAME, DIGEST, .*SUM_CPU_TIME, QUANTILE_95, QUANTILE_99, QUANTILE_999 FROM performance_schema\.events_statements_summary_by_digest/i,
    result: () => loadTsv(`${C}/events_statements_summary_by_digest.select.tsv`),
    source: `${C}/events_statements_summary_by_digest.select.tsv`,
  },
  {
    match:
      /^SELECT CHANNEL_NAME, WORKER_ID, COALESCE\(UNIX_TIMESTAMP\(LAST_APPLIED_TRANSACTION_ORIGINAL_COMMIT_TIMESTAMP\), 0\) AS LAST_APPLIED_TS,/i,
    result: () => loadTsv(`${C}/replication_applier_status_by_worker.lag-select.tsv`),
    source: `${C}/replication_applier_status_by_worker.lag-select.tsv`,
  },
  {
    match:
      /^SELECT CHANNEL_NAME, WORKER_ID, .*AS LAST_APPLIED_TRANSACTION_ORIGINAL_COMMIT_TIMESTAMP, .* FROM performance_schema\.replication_applier_status_by_worker$/i,
    result: () => loadTsv(`${C}/replication_applier_status_by_worker.timestamps-select.tsv`),
    source: `${C}/replication_applier_status_by_worker.timestamps-select.tsv`,
  },
  {
    match: /FROM performance_schema\.replication_connection_status$/i,
    result: () => loadTsv(`${C}/replication_connection_status.lag-select.tsv`),
    source: `${C}/replication_connection_status.lag-select.tsv`,
  },
  {
    match: /^SELECT \* FROM performance_schema\.replication_group_members$/i,
    result: () => loadTsv(`${C}/performance_schema.replication_group_members.tsv`),
    source: `${C}/performance_schema.replication_group_members.tsv`,
  },
  {
    match:
      /COUNT_TRANSACTIONS_REMOTE_IN_APPLIER_QUEUE, COUNT_TRANSACTIONS_REMOTE_APPLIED, .*FROM performance_schema\.replication_group_member_stats/i,
    result: () => loadTsv(`${C}/replication_group_member_stats.counts-select.tsv`),
    source: `${C}/replication_group_member_stats.counts-select.tsv`,
  },
  {
    match:
      /^SELECT BUCKET_NUMBER, BUCKET_TIMER_HIGH, COUNT_BUCKET, .* FROM performance_schema\.events_statements_histogram_global ORDER BY BUCKET_NUMBER$/i,
    result: statementsHistogramGlobal,
    source: "derived in code: MySQL's documented statement histogram bounds (mysql8-captures.ts)",
  },
];
