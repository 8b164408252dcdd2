/**
 * `perf_schema.replication_group_members`: one info series per group replication member.
 * Source: SELECT * FROM performance_schema.replication_group_members.
 * Not a query file: every column becomes a label, whatever columns the server has.
 */
import type { Sample } from '../model/metrics.js';
import { LABEL_NAME, sanitizeName, seriesKey } from '../model/metrics.js';
import { labelValue } from '../model/values.js';
import { defineCollector } from './collector-def.js';
import { memberStateNumber } from './group-member-state.js';

const NAME = 'perf_schema.replication_group_members';

export const REPLICATION_GROUP_MEMBERS_SQL = 'SELECT * FROM performance_schema.replication_group_members';

export const perfSchemaReplicationGroupMembers = defineCollector({
  name: NAME,
  help: 'Collect metrics from performance_schema.replication_group_members.',
  enabledByDefault: false,
  supports: { mysql: '>=5.7' },
  collect: () => async (ctx) => {
    const res = await ctx.db.query(REPLICATION_GROUP_MEMBERS_SQL);
    const labelNames = res.columns.map((c) => [c, sanitizeName(c)] as const);
    const samples: Sample[] = [];
    const states: Sample[] = [];
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
      const state = memberStateNumber(labelValue(row.MEMBER_STATE));
      if (state !== undefined) {
        states.push({
          labels: {
            channel_name: labelValue(row.CHANNEL_NAME),
            member_id: labelValue(row.MEMBER_ID),
            member_host: labelValue(row.MEMBER_HOST),
            member_port: labelValue(row.MEMBER_PORT),
          },
          value: state,
        });
      }
    }
    if (samples.length === 0) return [];
    const stateFamily = {
      name: 'mysql_perf_schema_replication_group_member_state',
      help: 'Group Replication member state as a number: 1 ONLINE, 2 RECOVERING, 3 OFFLINE, 4 ERROR, 5 UNREACHABLE.',
      type: 'gauge' as const,
      samples: states,
    };
    return [
      {
        name: 'mysql_perf_schema_replication_group_member_info',
        help: 'Information about the replication group member: channel_name, member_id, member_host, member_port, member_state, and member_role/member_version where the server has them.',
        type: 'gauge',
        samples,
      },
      ...(states.length > 0 ? [stateFamily] : []),
    ];
  },
});
