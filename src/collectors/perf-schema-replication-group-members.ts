/**
 * `perf_schema.replication_group_members`: one info series per Group Replication member, with every
 * column of performance_schema.replication_group_members as a lowercased label (5 columns on MySQL
 * 5.7; MEMBER_ROLE and MEMBER_VERSION added in 8.0, more in later releases). MySQL only: MariaDB has
 * no Group Replication and no such table, so it runs no query there.
 */
import { supportPredicate } from '../db/server-info.js';
import type { Collector, CollectContext, MetricFamily, Sample } from '../scrape/types.js';
import { LABEL_NAME, sanitizeName, seriesKey } from '../scrape/validate.js';
import { labelValue } from '../scrape/values.js';
import type { CollectorDef } from './collector-def.js';

const NAME = 'perf_schema.replication_group_members';

export const REPLICATION_GROUP_MEMBERS_SQL = 'SELECT * FROM performance_schema.replication_group_members';

export function replicationGroupMembersCollector(): Collector {
  return {
    name: NAME,
    help: 'Collect metrics from performance_schema.replication_group_members.',
    enabledByDefault: false,
    supports: supportPredicate({ mysql: '>=5.7' }),
    async collect(ctx: CollectContext): Promise<MetricFamily[]> {
      const res = await ctx.db.query(REPLICATION_GROUP_MEMBERS_SQL);
      const labelNames = res.columns.map((c) => [c, sanitizeName(c)] as const);
      const samples: Sample[] = [];
      const seen = new Set<string>();
      for (const row of res.rows) {
        const labels: Record<string, string> = {};
        for (const [column, label] of labelNames) {
          if (LABEL_NAME.test(label) && !label.startsWith('__')) labels[label] = labelValue(row[column]);
        }
        const key = seriesKey('', labels);
        if (seen.has(key)) continue;
        seen.add(key);
        samples.push({ labels, value: 1 });
      }
      if (samples.length === 0) return [];
      return [
        {
          name: 'mysql_perf_schema_replication_group_member_info',
          help: 'Information about the replication group member: channel_name, member_id, member_host, member_port, member_state, and member_role/member_version where the server has them.',
          type: 'gauge',
          samples,
        },
      ];
    },
  };
}

export const perfSchemaReplicationGroupMembers: CollectorDef = {
  name: NAME,
  help: 'Collect metrics from performance_schema.replication_group_members.',
  enabledByDefault: false,
  create: () => replicationGroupMembersCollector(),
};
