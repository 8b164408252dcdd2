/**
 * `perf_schema.replication_lag` (MySQL >= 8.0): per replication channel, how far the applier is
 * behind, from performance_schema instead of Seconds_Behind_Source (which is 0 while the receiver is
 * idle and says nothing about the queue):
 * - replication_connection_status: the last transaction the receiver queued (its original commit
 *   time) and RECEIVED_TRANSACTION_SET;
 * - replication_applier_status_by_worker: per worker, the last applied and the currently applying
 *   transaction (original commit times) and the server's clock at that moment.
 *
 * Metrics, labelled channel_name (docs/mysql8.md):
 * - mysql_perf_schema_replication_last_queued_transaction_timestamp_seconds
 * - mysql_perf_schema_replication_last_applied_transaction_timestamp_seconds (latest over workers)
 * - mysql_perf_schema_replication_applier_lag_seconds: now minus the original commit time of the
 *   oldest transaction a worker is applying; 0 when no worker is applying anything.
 * - mysql_perf_schema_replication_applier_queue_lag_seconds: last queued minus last applied original
 *   commit time (0 when the applier has caught up with the receiver).
 * - mysql_perf_schema_replication_applier_queue_transactions: transactions received but not yet
 *   executed (RECEIVED_TRANSACTION_SET minus @@global.gtid_executed; GTID replication only).
 * Zero timestamps (nothing queued or applied yet) are not exported as times.
 */
import type { MetricFamily } from '../model/metrics.js';
import type { Row } from '../model/rows.js';
import { labelValue, parseNumber } from '../model/values.js';
import { defineCollector } from './collector-def.js';
import { FamilySet } from './family-set.js';
import { countMissing, parseGtidSet } from './gtid-set.js';

const NAME = 'perf_schema.replication_lag';

export const REPLICATION_CONNECTION_STATUS_SQL =
  'SELECT CHANNEL_NAME, SERVICE_STATE,' +
  ' COALESCE(UNIX_TIMESTAMP(LAST_QUEUED_TRANSACTION_ORIGINAL_COMMIT_TIMESTAMP), 0) AS LAST_QUEUED_TS,' +
  ' RECEIVED_TRANSACTION_SET, @@global.gtid_executed AS GTID_EXECUTED' +
  ' FROM performance_schema.replication_connection_status';

export const REPLICATION_WORKER_LAG_SQL =
  'SELECT CHANNEL_NAME, WORKER_ID,' +
  ' COALESCE(UNIX_TIMESTAMP(LAST_APPLIED_TRANSACTION_ORIGINAL_COMMIT_TIMESTAMP), 0) AS LAST_APPLIED_TS,' +
  ' COALESCE(UNIX_TIMESTAMP(APPLYING_TRANSACTION_ORIGINAL_COMMIT_TIMESTAMP), 0) AS APPLYING_TS,' +
  ' UNIX_TIMESTAMP(NOW(6)) AS NOW_TS' +
  ' FROM performance_schema.replication_applier_status_by_worker';

const M = {
  queued: 'mysql_perf_schema_replication_last_queued_transaction_timestamp_seconds',
  applied: 'mysql_perf_schema_replication_last_applied_transaction_timestamp_seconds',
  lag: 'mysql_perf_schema_replication_applier_lag_seconds',
  queueLag: 'mysql_perf_schema_replication_applier_queue_lag_seconds',
  queue: 'mysql_perf_schema_replication_applier_queue_transactions',
} as const;

interface Channel {
  queued?: number;
  received?: string;
  executed?: string;
  applied?: number;
  applying?: number;
  now?: number;
}

const positive = (n: number | undefined): number | undefined => (n !== undefined && n > 0 ? n : undefined);

/** Maps the two result sets to families. Exported for tests. */
export function replicationLagFamilies(connection: readonly Row[], workers: readonly Row[]): MetricFamily[] {
  const channels = new Map<string, Channel>();
  const get = (name: string) => {
    let c = channels.get(name);
    if (!c) {
      c = {};
      channels.set(name, c);
    }
    return c;
  };
  for (const r of connection) {
    const c = get(labelValue(r.CHANNEL_NAME));
    const q = positive(parseNumber(r.LAST_QUEUED_TS));
    if (q !== undefined) c.queued = q;
    c.received = labelValue(r.RECEIVED_TRANSACTION_SET);
    c.executed = labelValue(r.GTID_EXECUTED);
  }
  for (const r of workers) {
    const c = get(labelValue(r.CHANNEL_NAME));
    const applied = positive(parseNumber(r.LAST_APPLIED_TS));
    if (applied !== undefined) c.applied = Math.max(c.applied ?? 0, applied);
    const applying = positive(parseNumber(r.APPLYING_TS));
    if (applying !== undefined) c.applying = Math.min(c.applying ?? Number.POSITIVE_INFINITY, applying);
    const now = parseNumber(r.NOW_TS);
    if (now !== undefined) c.now = now;
  }
  const out = new FamilySet();
  for (const [channel, c] of channels) {
    const labels = { channel_name: channel };
    out.add(
      M.queued,
      'gauge',
      'Original commit time of the last transaction the receiver queued (Unix seconds).',
      labels,
      c.queued,
    );
    out.add(
      M.applied,
      'gauge',
      'Original commit time of the latest transaction the applier workers finished (Unix seconds).',
      labels,
      c.applied,
    );
    if (c.now !== undefined) {
      const lag = c.applying === undefined ? 0 : Math.max(0, c.now - c.applying);
      out.add(
        M.lag,
        'gauge',
        'Seconds since the original commit of the oldest transaction an applier worker is applying (0 when idle).',
        labels,
        lag,
      );
    }
    if (c.queued !== undefined && c.applied !== undefined) {
      out.add(
        M.queueLag,
        'gauge',
        'Original commit time of the last queued minus the last applied transaction, in seconds.',
        labels,
        Math.max(0, c.queued - c.applied),
      );
    }
    if (c.received) {
      const received = parseGtidSet(c.received);
      const executed = parseGtidSet(c.executed ?? '');
      if (received && executed) {
        out.add(
          M.queue,
          'gauge',
          'Transactions received by the channel and not yet executed (GTID sets).',
          labels,
          countMissing(received, executed),
        );
      }
    }
  }
  return out.families();
}

export const perfSchemaReplicationLag = defineCollector({
  name: NAME,
  help: 'Collect per-channel replication applier lag and queue from performance_schema (MySQL 8.0+).',
  enabledByDefault: false,
  supports: { mysql: '>=8.0' },
  collect: () => async (ctx) => {
    const [connection, workers] = await Promise.all([
      ctx.db.query(REPLICATION_CONNECTION_STATUS_SQL),
      ctx.db.query(REPLICATION_WORKER_LAG_SQL),
    ]);
    return replicationLagFamilies(connection.rows, workers.rows);
  },
});
