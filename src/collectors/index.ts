/**
 * The explicit list of hand-written collectors, in a fixed order. Declarative collectors (plain
 * row-to-metric mappings) live in `queries/*.yaml` and are loaded by `declarative/`.
 */
import type { CollectorDef } from '../model/collector.js';
import { autoIncrementColumns } from './auto-increment-columns.js';
import { binlogSize } from './binlog-size.js';
import { infoSchemaClientstats } from './info-schema-clientstats.js';
import { infoSchemaInnodbMetrics } from './info-schema-innodb-metrics.js';
import { infoSchemaInnodbTablespaces } from './info-schema-innodb-tablespaces.js';
import { infoSchemaProcesslist } from './info-schema-processlist.js';
import { infoSchemaTables } from './info-schema-tables.js';
import { infoSchemaUserstats } from './info-schema-userstats.js';
import { mysqlUser } from './mysql-user.js';
import { globalStatusCollector } from './global-status.js';
import { globalVariablesCollector } from './global-variables.js';
import { queryResponseTimeCollector } from './query-response-time.js';
import { slaveStatusCollector } from './slave-status.js';
import { perfSchemaEventsStatements } from './perf-schema-events-statements.js';
import { perfSchemaFileInstances } from './perf-schema-file-instances.js';
import { perfSchemaMemoryEvents } from './perf-schema-memory-events.js';
import { perfSchemaReplicationGroupMembers } from './perf-schema-replication-group-members.js';
import { perfSchemaReplicationLag } from './perf-schema-replication-lag.js';
import { engineInnodbStatus } from './engine-innodb-status.js';
import { engineTokudbStatus } from './engine-tokudb-status.js';
import { heartbeat } from './heartbeat.js';
import { slaveHosts } from './slave-hosts.js';
import { infoSchemaRocksdbPerfContext } from './info-schema-rocksdb-perf-context.js';
import { perfSchemaEventsStatementsHistogram } from './perf-schema-events-statements-histogram.js';

export const BUILTIN_COLLECTORS: readonly CollectorDef[] = [
  globalStatusCollector,
  globalVariablesCollector,
  slaveStatusCollector,
  queryResponseTimeCollector,
  infoSchemaProcesslist,
  mysqlUser,
  infoSchemaTables,
  infoSchemaInnodbTablespaces,
  infoSchemaInnodbMetrics,
  autoIncrementColumns,
  binlogSize,
  perfSchemaEventsStatements,
  perfSchemaFileInstances,
  perfSchemaMemoryEvents,
  perfSchemaReplicationGroupMembers,
  perfSchemaReplicationLag,
  infoSchemaUserstats,
  infoSchemaClientstats,
  engineInnodbStatus,
  engineTokudbStatus,
  heartbeat,
  slaveHosts,
  infoSchemaRocksdbPerfContext,
  perfSchemaEventsStatementsHistogram,
];
