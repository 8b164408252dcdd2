/** Looking up families and series in collector output (MetricFamily[]), for assertions. */
import assert from 'node:assert/strict';
import type { Labels, MetricFamily } from '../../src/model/metrics.js';

export function findFamily(fams: readonly MetricFamily[], name: string): MetricFamily | undefined {
  return fams.find((f) => f.name === name);
}

/** The family, or a failed assertion that lists the families there are. */
export function requireFamily(fams: readonly MetricFamily[], name: string): MetricFamily {
  const f = findFamily(fams, name);
  assert.ok(f, `family ${name} missing; have ${fams.map((x) => x.name).join(', ')}`);
  return f;
}

function sameLabels(a: Labels, b: Labels): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** The value of the series with exactly these labels (and this suffix: none by default). */
export function seriesValue(
  f: MetricFamily | undefined,
  labels: Labels = {},
  suffix?: string,
): number | undefined {
  return f?.samples.find((s) => s.suffix === suffix && sameLabels(s.labels, labels))?.value;
}

/** `seriesValue` of a family looked up by name; undefined when the family or the series is absent. */
export function familyValue(
  fams: readonly MetricFamily[],
  name: string,
  labels: Labels = {},
): number | undefined {
  return seriesValue(findFamily(fams, name), labels);
}
