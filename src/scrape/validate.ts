/**
 * Checks a collector's output before it reaches the exposition: valid metric and label names, no NaN,
 * no duplicate series, and a cap on the number of series. A violation fails that collector only.
 */
import { CollectorError } from '../errors.js';
import type { MetricFamily } from './types.js';

export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Turns an arbitrary server name (`validate_password.length`) into a valid metric-name part. */
export function sanitizeName(s: string): string {
  return s.replace(/[^a-zA-Z0-9_]/g, '_').toLowerCase();
}

export function seriesKey(name: string, labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels).sort();
  let k = name;
  for (const l of keys) k += `\u0000${l}\u0001${labels[l]}`;
  return k;
}

export function validateFamilies(families: readonly MetricFamily[], maxSeries: number): number {
  let series = 0;
  const seen = new Set<string>();
  const names = new Set<string>();
  for (const f of families) {
    if (!METRIC_NAME.test(f.name)) throw new CollectorError(`invalid metric name ${JSON.stringify(f.name)}`);
    if (names.has(f.name)) throw new CollectorError(`metric family ${f.name} emitted twice`);
    names.add(f.name);
    for (const s of f.samples) {
      if (!Number.isFinite(s.value)) throw new CollectorError(`non-finite value in ${f.name}`);
      for (const l of Object.keys(s.labels)) {
        if (!LABEL_NAME.test(l) || l.startsWith('__'))
          throw new CollectorError(`invalid label name ${JSON.stringify(l)} in ${f.name}`);
      }
      const key = seriesKey(f.name + (s.suffix ?? ''), s.labels);
      if (seen.has(key)) throw new CollectorError(`duplicate series in ${f.name}`);
      seen.add(key);
      series++;
      if (series > maxSeries)
        throw new CollectorError(`more than ${maxSeries} series; raise --exporter.max_series or filter`);
    }
  }
  return series;
}
