/**
 * The collector contract, in one place: every collector (hand-written in src/collectors/, or a query
 * file run by src/declarative/) is registered as a `CollectorDef` and runs as a `Collector`. It sits in
 * the leaf because both the layers that implement it and the scrape that runs it depend on it.
 *
 * Why two types and not one (mysqld_exporter's scrapers have one, with four methods: name, help,
 * version, scrape): mysqld_exporter reads a scraper's option flags from process-wide flag variables and
 * keeps its memory in package variables. Here there are no globals, so
 * - the flag table must be known before any flag is parsed (to parse them, for `--help`, for the
 *   README): that is the registration, `CollectorDef`, a constant with no state;
 * - a collector's flag values and its memory (per-target caches) belong to one configuration and start
 *   afresh on reload: that is the instance, `Collector`, which `create(flags)` makes for a configuration.
 * A scrape sees only `Collector`s; config/ sees only `CollectorDef`s (for the flag table). To write
 * one, use `defineCollector` (src/collectors/collector-def.ts) or a query file; see
 * docs/adding-a-collector.md.
 */
import type { FlagSpec, FlagValues } from './flags.js';
import type { Logger } from './logger.js';
import type { MetricFamily } from './metrics.js';
import type { QueryOptions, QueryResult } from './rows.js';
import type { ServerInfo } from './server-info.js';

/** The narrow database handle collectors get: one statement at a time, bound to the collector's signal. */
export interface Db {
  query(sql: string, params?: readonly unknown[], opts?: QueryOptions): Promise<QueryResult>;
}

export interface CollectContext {
  readonly db: Db;
  readonly server: ServerInfo;
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** Identifies the target (for per-target caches); never contains credentials. */
  readonly targetKey: string;
}

/** What is registered: known before any flag is parsed, the same for every configuration. */
export interface CollectorDef {
  /** snake_case with dots, as in mysqld_exporter: the `--collect.<name>` flag and the `collect[]` value. */
  readonly name: string;
  /** The `--collect.<name>` flag's help. */
  readonly help: string;
  /** The `--collect.<name>` flag's default. */
  readonly enabledByDefault: boolean;
  /** Its option flags (e.g. `collect.info_schema.processlist.min_time`), in the flag table after `--collect.<name>`. */
  readonly flags?: readonly FlagSpec[];
  /** The running collector for one configuration's flag values, with fresh memory. */
  create(flags: FlagValues): Collector;
}

/** What a scrape runs: made by `CollectorDef.create` for one configuration (it repeats the identity). */
export interface Collector {
  /** snake_case with dots, as in mysqld_exporter: the `--collect.<name>` flag and the `collect[]` value. */
  readonly name: string;
  readonly help: string;
  readonly enabledByDefault: boolean;
  /** Flavor and version gate; an unsupported collector runs no query. */
  supports(server: ServerInfo): boolean;
  collect(ctx: CollectContext): Promise<MetricFamily[]>;
  /** Optional per-collector time budget in ms, within the scrape deadline. */
  readonly timeoutMs?: number;
}

/** mysqld_exporter labels collectors `collect.<name>`; dashboards filter on that. */
export const collectorLabel = (name: string) => `collect.${name}`;
