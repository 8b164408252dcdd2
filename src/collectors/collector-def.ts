/**
 * `defineCollector`: how a hand-written collector is stated once (name, help, default, supported
 * servers, its option flags with typed values, and how it collects) and becomes the `CollectorDef`
 * of the contract (src/model/collector.ts) that index.ts registers. Query files become one in
 * src/declarative/loader.ts.
 */
import type { Flag, FlagValuesOf } from '../config/flags.js';
import { markBatchable } from '../model/batchable.js';
import type { CollectContext, Collector, CollectorDef } from '../model/collector.js';
import type { FlagValues } from '../model/flags.js';
import type { MetricFamily } from '../model/metrics.js';
import { type ServerInfo, type Support, supportPredicate } from '../model/server-info.js';

type Flags = Readonly<Record<string, Flag>>;

export function defineCollector<F extends Flags = Record<never, Flag>>(spec: {
  readonly name: string;
  readonly help: string;
  readonly enabledByDefault: boolean;
  /** Per-flavor version ranges (src/model/server-info.ts Support) or a predicate for special cases. */
  readonly supports: Support | ((server: ServerInfo) => boolean);
  /** Option flags (e.g. `collect.info_schema.processlist.min_time`), each declared once. */
  readonly flags?: F;
  /** Builds the collect function for one configuration; per-instance state lives in its closure. */
  collect(options: FlagValuesOf<F>): (ctx: CollectContext) => Promise<MetricFamily[]>;
}): CollectorDef {
  const { name, help, enabledByDefault } = spec;
  const flags = spec.flags ? Object.values(spec.flags) : undefined;
  // Compiled once, at definition (an invalid range fails at startup, not at the first scrape).
  const supports = typeof spec.supports === 'function' ? spec.supports : supportPredicate(spec.supports);
  return {
    name,
    help,
    enabledByDefault,
    ...(flags === undefined ? {} : { flags }),
    create(values: FlagValues): Collector {
      const options = Object.fromEntries(
        Object.entries(spec.flags ?? {}).map(([key, f]) => [key, f.get(values)]),
      ) as FlagValuesOf<F>;
      return markBatchable({ name, help, enabledByDefault, supports, collect: spec.collect(options) });
    },
  };
}
