/**
 * The typed, immutable form of one query file (`queries/*.yaml`, `--queries.dir`). Everything here
 * has been validated by `parse-spec.ts`: the runtime never re-checks names, types or SQL.
 */
import type { Support } from '../model/server-info.js';
import type { Labels } from '../model/metrics.js';

/** The metric types a query may declare; `untyped` only for names kept from mysqld_exporter. */
export type QueryMetricType = 'counter' | 'gauge' | 'untyped';

/** Any flavor, any version: the default for operators' files that say nothing. */
export const ANY_SERVER: Support = { mysql: '*', mariadb: '*' };

/** One SQL text with the servers it is for; the first variant that supports the server runs. */
export interface SqlVariant {
  readonly supports: Support | undefined;
  readonly sql: string;
  /** Output column names when the select list says them all; undefined when it cannot be known. */
  readonly columns: readonly string[] | undefined;
}

export interface LabelSpec {
  /** The Prometheus label name. */
  readonly label: string;
  /** The result column it comes from (matched case-insensitively). */
  readonly column: string;
}

export interface ValueSpec {
  readonly column: string;
  /** The value of `value_label` for this column; undefined for a single `value`. */
  readonly labelValue: string | undefined;
}

export interface MetricSpec {
  readonly name: string;
  readonly help: string;
  readonly type: QueryMetricType;
  readonly labels: readonly LabelSpec[];
  readonly values: readonly ValueSpec[];
  readonly valueLabel: string | undefined;
  readonly staticLabels: Labels;
  readonly scale: number;
  readonly valueMap: ReadonlyMap<string, number> | undefined;
  /** Line of the metric in its file, for cross-file problems. */
  readonly line: number | undefined;
}

/** What the server answers when a table is missing: fail the collector, or export nothing. */
export type MissingTable = 'error' | 'empty';

export interface QuerySpec {
  /** Collector name: the `--collect.<name>` flag and the `collect[]` value. */
  readonly name: string;
  readonly help: string;
  /** The file it was read from. */
  readonly source: string;
  readonly line: number | undefined;
  readonly enabledByDefault: boolean;
  readonly supports: Support;
  readonly sql: readonly SqlVariant[];
  /** 0 means no caching. */
  readonly minIntervalMs: number;
  readonly timeoutMs: number | undefined;
  readonly maxRows: number;
  readonly maxLabelLength: number;
  readonly missingTable: MissingTable;
  readonly metrics: readonly MetricSpec[];
}

export const DEFAULT_MAX_ROWS = 10_000;
export const MAX_MAX_ROWS = 1_000_000;
export const DEFAULT_MAX_LABEL_LENGTH = 1024;
export const MAX_MAX_LABEL_LENGTH = 65_536;
export const MAX_SQL_LENGTH = 65_536;
/** Durations (timeout, min_interval) above this are surely a typo. */
export const MAX_DURATION_SECONDS = 86_400;

/** Labels a query may not define: Prometheus-internal, histogram/summary, and target/exporter labels. */
export const RESERVED_LABELS: ReadonlySet<string> = new Set([
  'le',
  'quantile',
  'collector',
  'instance',
  'job',
]);

export function isReservedLabel(name: string): boolean {
  return name.startsWith('__') || RESERVED_LABELS.has(name);
}

/** Collector names: snake_case parts joined by dots, like `perf_schema.tableiowaits`. */
export const COLLECTOR_NAME = /^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*$/;
