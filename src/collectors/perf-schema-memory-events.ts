/**
 * `perf_schema.memory_events`: bytes allocated, freed and in use per memory instrument from
 * performance_schema.memory_summary_global_by_event_name. The table exists on MySQL 5.7+ and on
 * MariaDB 10.5+ (performance_schema upgraded to the 5.7 version); older servers run no query.
 * CURRENT_NUMBER_OF_BYTES_USED can be negative (memory freed by another thread than the allocating
 * one); it is a gauge and negatives are kept.
 * Source: performance_schema.memory_summary_global_by_event_name.
 * Not a query file: instrument names are shortened by a flag's prefix before they become labels.
 
 */
import { flag } from '../config/flags.js';
import type { MetricFamily, Sample } from '../model/metrics.js';
import { labelValue, parseNumber } from '../model/values.js';
import { defineCollector } from './collector-def.js';

const NAME = 'perf_schema.memory_events';
const FLAG = `collect.${NAME}`;

export const MEMORY_EVENTS_SQL =
  'SELECT EVENT_NAME, SUM_NUMBER_OF_BYTES_ALLOC, SUM_NUMBER_OF_BYTES_FREE, CURRENT_NUMBER_OF_BYTES_USED' +
  ' FROM performance_schema.memory_summary_global_by_event_name WHERE COUNT_ALLOC > 0';

const COLUMNS = [
  [
    'SUM_NUMBER_OF_BYTES_ALLOC',
    'mysql_perf_schema_memory_events_alloc_bytes_total',
    'counter',
    'The total number of bytes allocated by events.',
  ],
  [
    'SUM_NUMBER_OF_BYTES_FREE',
    'mysql_perf_schema_memory_events_free_bytes_total',
    'counter',
    'The total number of bytes freed by events.',
  ],
  [
    'CURRENT_NUMBER_OF_BYTES_USED',
    'mysql_perf_schema_memory_events_used_bytes',
    'gauge',
    'The number of bytes currently used by events (may be negative).',
  ],
] as const;

export const perfSchemaMemoryEvents = defineCollector({
  name: NAME,
  help: 'Collect metrics from performance_schema.memory_summary_global_by_event_name.',
  enabledByDefault: false,
  supports: { mysql: '>=5.7', mariadb: '>=10.5' },
  flags: {
    removePrefix: flag({
      name: `${FLAG}.remove_prefix`,
      kind: 'string',
      default: 'memory/',
      help: 'Remove instrument prefix in performance_schema.memory_summary_global_by_event_name.',
    }),
  },
  collect(flags) {
    const removePrefix = flags.removePrefix;
    return async (ctx) => {
      const res = await ctx.db.query(MEMORY_EVENTS_SQL);
      // Event names are unique, but a custom prefix could map two names onto one: sum those.
      const byName = new Map<string, Array<number | undefined>>();
      for (const row of res.rows) {
        let name = labelValue(row.EVENT_NAME);
        if (removePrefix !== '' && name.startsWith(removePrefix)) name = name.slice(removePrefix.length);
        const acc = byName.get(name) ?? COLUMNS.map(() => undefined);
        COLUMNS.forEach(([column], i) => {
          const v = parseNumber(row[column]);
          if (v !== undefined) acc[i] = (acc[i] ?? 0) + v;
        });
        byName.set(name, acc);
      }
      const families: MetricFamily[] = COLUMNS.map(([, metric, type, help], i) => {
        const samples: Sample[] = [];
        for (const [eventName, acc] of byName) {
          const v = acc[i];
          if (v !== undefined) samples.push({ labels: { event_name: eventName }, value: v });
        }
        return { name: metric, help, type, samples };
      });
      return families.filter((f) => f.samples.length > 0);
    };
  },
});
