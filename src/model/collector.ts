/**
 * The collector contract: what every collector (hand-written in src/collectors/, or a query file run by
 * src/declarative/) is, and what the scrape gives it. It sits in the leaf because both the layer that
 * implements it and the scrape that runs it depend on it.
 */
import type { Logger } from './logger.js';
import type { MetricFamily } from './metrics.js';
import type { QueryResult } from './rows.js';
import type { ServerInfo } from './server-info.js';

/** The narrow database handle collectors get: one statement at a time, bound to the collector's signal. */
export interface Db {
  query(sql: string, params?: readonly unknown[]): Promise<QueryResult>;
}

export interface CollectContext {
  readonly db: Db;
  readonly server: ServerInfo;
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** Identifies the target (for per-target caches); never contains credentials. */
  readonly targetKey: string;
}

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
