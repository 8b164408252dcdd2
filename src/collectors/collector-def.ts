/**
 * The collector contract of src/collectors/: a hand-written collector is stated once with
 * `defineCollector` (name, help, default, supported servers, its option flags, and how it collects)
 * and registered in index.ts. What it becomes is a `CollectorDef`, the one shape every collector is
 * registered in (query files become one too, in src/declarative/loader.ts): its `--collect.<name>`
 * flag comes from `name` and `enabledByDefault`, its option flags from `flags`, and `create` makes the
 * running `Collector` (src/model/collector.ts) for one configuration.
 */
import type { Flag, FlagSpec, FlagValues, FlagValuesOf } from '../config/flags.js';
import type { CollectContext, Collector } from '../model/collector.js';
import type { MetricFamily } from '../model/metrics.js';
import { type ServerInfo, type Support, supportPredicate } from '../model/server-info.js';

export interface CollectorDef {
  readonly name: string;
  readonly help: string;
  readonly enabledByDefault: boolean;
  readonly flags?: readonly FlagSpec[];
  create(flags: FlagValues): Collector;
}

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
      return { name, help, enabledByDefault, supports, collect: spec.collect(options) };
    },
  };
}
