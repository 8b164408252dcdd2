import type { ServerInfo } from '../db/server-info.js';
import type { Exposition } from '../exposition/serialize.js';
import type { Logger } from '../log/logger.js';

/** What prom-client can expose. `untyped` is kept so that names and types match mysqld_exporter. */
export type MetricType = 'counter' | 'gauge' | 'untyped' | 'histogram' | 'summary';

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly labels: Labels;
  readonly value: number;
  /** For histogram and summary parts: `_bucket`, `_sum`, `_count`. */
  readonly suffix?: string;
}

/** A plain metric family: what collectors return. Collectors never import prom-client. */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly samples: readonly Sample[];
}

/**
 * Output derived from one scrape result (its families with the scrape's own, their text), computed
 * by the first caller and reused by every other caller that joined the same round.
 */
export class DerivedOutput {
  families: readonly MetricFamily[] | undefined = undefined;
  /** Rendered text of `families` by content type. */
  readonly texts = new Map<string, Exposition>();
  /** Whole responses (with the same live metrics in front) by content type and live metric names. */
  readonly outputs = new Map<string, Promise<Exposition>>();
}

/** A cell as it comes from the driver (BIGINT and DECIMAL as strings; dates as strings). */
export type Cell = string | number | bigint | null;
export type Row = Readonly<Record<string, Cell>>;

export interface QueryResult {
  readonly columns: readonly string[];
  readonly rows: readonly Row[];
}

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
