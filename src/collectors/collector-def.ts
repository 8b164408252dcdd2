import type { FlagSpec, FlagValues } from '../config/flags.js';
import { type ServerInfo, type Support, supportPredicate } from '../model/server-info.js';
import type { Collector, CollectContext } from '../model/collector.js';
import type { MetricFamily } from '../model/metrics.js';

/**
 * A built-in collector as registered: its `--collect.<name>` flag is generated from `name` and
 * `enabledByDefault`; `flags` are its option flags (e.g. `collect.info_schema.processlist.min_time`),
 * whose parsed values `create` receives.
 */
export interface CollectorDef {
  readonly name: string;
  readonly help: string;
  readonly enabledByDefault: boolean;
  readonly flags?: readonly FlagSpec[];
  create(flags: FlagValues): Collector;
}

/** A hand-written collector, stated once: `defineCollector` turns it into its `CollectorDef`. */
export interface CollectorSpec {
  readonly name: string;
  readonly help: string;
  readonly enabledByDefault: boolean;
  /** Per-flavor version ranges (src/db/server-info.ts Support) or a predicate for special cases. */
  readonly supports: Support | ((server: ServerInfo) => boolean);
  readonly flags?: readonly FlagSpec[];
  /** Builds the collect function for one configuration (option flags); per-instance state lives in its closure. */
  collect(flags: FlagValues): (ctx: CollectContext) => Promise<MetricFamily[]>;
}

export function defineCollector(spec: CollectorSpec): CollectorDef {
  const { name, help, enabledByDefault, flags } = spec;
  // Compiled once, at definition (an invalid range fails at startup, not at the first scrape).
  const supports = typeof spec.supports === 'function' ? spec.supports : supportPredicate(spec.supports);
  return {
    name,
    help,
    enabledByDefault,
    ...(flags === undefined ? {} : { flags }),
    create(values: FlagValues): Collector {
      return { name, help, enabledByDefault, supports, collect: spec.collect(values) };
    },
  };
}
