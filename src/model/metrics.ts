/**
 * Metric families as plain data: what collectors return, what a scrape merges and what the exposition
 * writes. Nothing here imports prom-client.
 */
import type { NativeHistogram } from './native-histogram.js';

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
  /** Histograms only: the same observations as native histograms (sent in protobuf only). */
  readonly native?: readonly NativeHistogram[];
}

export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Turns an arbitrary server name (`validate_password.length`) into a valid metric-name part. */
export function sanitizeName(s: string): string {
  return s.replace(/[^a-zA-Z0-9_]/g, '_').toLowerCase();
}

/** One series' identity: its name and its labels in name order. */
export function seriesKey(name: string, labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length > 1) keys.sort();
  let k = name;
  for (const l of keys) k += `\u0000${l}\u0001${labels[l]}`;
  return k;
}
