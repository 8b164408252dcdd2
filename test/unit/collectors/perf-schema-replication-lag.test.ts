import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memberStateNumber } from '../../../src/collectors/group-member-state.js';
import { replicationLagFamilies } from '../../../src/collectors/perf-schema-replication-lag.js';
import type { MetricFamily } from '../../../src/model/metrics.js';

const U = '61221e31-1ef3-11ed-a56a-0242ac120002';
const get = (fams: MetricFamily[], name: string, channel: string) =>
  fams.find((f) => f.name === name)?.samples.find((s) => s.labels.channel_name === channel)?.value;

test('replication lag: idle channel, busy channel, nothing applied yet', () => {
  const fams = replicationLagFamilies(
    [
      {
        CHANNEL_NAME: '',
        LAST_QUEUED_TS: '100.5',
        RECEIVED_TRANSACTION_SET: `${U}:1-10`,
        GTID_EXECUTED: `${U}:1-10`,
      },
      {
        CHANNEL_NAME: 'busy',
        LAST_QUEUED_TS: '200',
        RECEIVED_TRANSACTION_SET: `${U}:1-10`,
        GTID_EXECUTED: `${U}:1-7`,
      },
      {
        CHANNEL_NAME: 'new',
        LAST_QUEUED_TS: '0.000000',
        RECEIVED_TRANSACTION_SET: '',
        GTID_EXECUTED: `${U}:1-7`,
      },
    ],
    [
      { CHANNEL_NAME: '', LAST_APPLIED_TS: '100.5', APPLYING_TS: '0.000000', NOW_TS: '300' },
      { CHANNEL_NAME: 'busy', LAST_APPLIED_TS: '150', APPLYING_TS: '160', NOW_TS: '300' },
      { CHANNEL_NAME: 'busy', LAST_APPLIED_TS: '155', APPLYING_TS: '170', NOW_TS: '300' },
      { CHANNEL_NAME: 'new', LAST_APPLIED_TS: '0.000000', APPLYING_TS: '0.000000', NOW_TS: '300' },
    ],
  );
  assert.equal(get(fams, 'mysql_perf_schema_replication_applier_lag_seconds', ''), 0);
  assert.equal(get(fams, 'mysql_perf_schema_replication_applier_queue_lag_seconds', ''), 0);
  assert.equal(get(fams, 'mysql_perf_schema_replication_applier_queue_transactions', ''), 0);
  // Oldest applying transaction committed at 160 on the source: 140 s behind at 300.
  assert.equal(get(fams, 'mysql_perf_schema_replication_applier_lag_seconds', 'busy'), 140);
  assert.equal(
    get(fams, 'mysql_perf_schema_replication_last_applied_transaction_timestamp_seconds', 'busy'),
    155,
  );
  assert.equal(get(fams, 'mysql_perf_schema_replication_applier_queue_lag_seconds', 'busy'), 45);
  assert.equal(get(fams, 'mysql_perf_schema_replication_applier_queue_transactions', 'busy'), 3);
  // Nothing queued or applied: no timestamps, no queue lag, lag 0, no GTID queue (empty set).
  assert.equal(
    get(fams, 'mysql_perf_schema_replication_last_queued_transaction_timestamp_seconds', 'new'),
    undefined,
  );
  assert.equal(
    get(fams, 'mysql_perf_schema_replication_last_applied_transaction_timestamp_seconds', 'new'),
    undefined,
  );
  assert.equal(get(fams, 'mysql_perf_schema_replication_applier_queue_lag_seconds', 'new'), undefined);
  assert.equal(get(fams, 'mysql_perf_schema_replication_applier_lag_seconds', 'new'), 0);
  assert.equal(get(fams, 'mysql_perf_schema_replication_applier_queue_transactions', 'new'), undefined);
});

test('replication lag: not a replica (no rows) exports nothing', () => {
  assert.deepEqual(replicationLagFamilies([], []), []);
});

test('group member state numbers', () => {
  assert.deepEqual(
    ['ONLINE', 'RECOVERING', 'OFFLINE', 'ERROR', 'UNREACHABLE', 'online', ''].map(memberStateNumber),
    [1, 2, 3, 4, 5, 1, undefined],
  );
});
