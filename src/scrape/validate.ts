/**
 * Checks a collector's output before it reaches the exposition: valid metric and label names, no NaN,
 * no duplicate series, and a cap on the number of series. A violation fails that collector only.
 */
import { CollectorError } from '../errors.js';
import { LABEL_NAME, METRIC_NAME, type MetricFamily, seriesKey } from '../model/metrics.js';

/** Label names already checked in this call (they repeat across samples and families). */
function checkLabelName(l: string, family: string, ok: Set<string>): void {
  if (ok.has(l)) return;
  if (!LABEL_NAME.test(l) || l.startsWith('__'))
    throw new CollectorError(`invalid label name ${JSON.stringify(l)} in ${family}`);
  ok.add(l);
}

const NO_LABELS: readonly string[] = [];

/** Object.keys, without an array for the (common) empty label set. */
function labelNames(labels: Readonly<Record<string, string>>): readonly string[] {
  for (const _ in labels) return Object.keys(labels);
  return NO_LABELS;
}

/** Whether the labels have exactly these names in this order (no key array per sample). */
function fitsShape(labels: Readonly<Record<string, string>>, shape: readonly string[]): boolean {
  let i = 0;
  for (const k in labels) {
    if (k !== shape[i]) return false;
    i++;
  }
  return i === shape.length;
}

/**
 * A sample's identity within its family when every sample so far has the same label names in the
 * same order: the suffix and the values only (length-prefixed, so that it is unambiguous).
 */
function shapeKey(
  suffix: string,
  labels: Readonly<Record<string, string>>,
  shape: readonly string[],
): string {
  let k = suffix;
  for (let i = 0; i < shape.length - 1; i++) {
    const v = labels[shape[i]!]!;
    k += `\u0000${v.length}\u0001${v}`;
  }
  return shape.length > 0 ? `${k}\u0000${labels[shape[shape.length - 1]!]}` : k;
}

/**
 * Checks names, values, duplicate series and the series cap, in one pass. Series identity is kept
 * per family (names are unique), by values only while the family's samples share one label-name
 * list (the usual case), by the full sorted key otherwise. When two families would write the same
 * sample name (`x` with suffix `_bucket` and a family `x_bucket`), the check starts over with one
 * global set of full keys, so that the outcome is always exactly that of `validateFamiliesByKey`.
 */
export function validateFamilies(families: readonly MetricFamily[], maxSeries: number): number {
  let series = 0;
  const names = new Set<string>();
  const okLabels = new Set<string>();
  /** Suffixed sample name (family name + suffix) -> the family that writes it. */
  const written = new Map<string, string>();
  for (const f of families) {
    if (!METRIC_NAME.test(f.name)) throw new CollectorError(`invalid metric name ${JSON.stringify(f.name)}`);
    if (names.has(f.name)) throw new CollectorError(`metric family ${f.name} emitted twice`);
    names.add(f.name);
    const samples = f.samples;
    // Most families have one sample: no sets for them.
    let firstSuffix: string | undefined;
    let suffixes: Set<string> | undefined;
    let shape: readonly string[] | undefined;
    let keys: Set<string> | undefined;
    let byShape = true;
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!;
      if (!Number.isFinite(s.value)) throw new CollectorError(`non-finite value in ${f.name}`);
      const suffix = s.suffix ?? '';
      let known = true;
      if (firstSuffix === undefined) {
        firstSuffix = suffix;
        known = false;
      } else if (suffix !== firstSuffix) {
        suffixes ??= new Set();
        known = suffixes.has(suffix);
        suffixes.add(suffix);
      }
      if (!known) {
        // Two families write one sample name only through a suffix: `written` holds the suffixed
        // names. Rare: no error so far, and from here only the global check gives the exact outcome.
        if (suffix === '') {
          if (written.size > 0 && written.has(f.name)) return validateFamiliesByKey(families, maxSeries);
        } else {
          const key = f.name + suffix;
          const owner = written.get(key);
          if ((owner !== undefined && owner !== f.name) || names.has(key))
            return validateFamiliesByKey(families, maxSeries);
          written.set(key, f.name);
        }
      }
      if (shape === undefined) shape = labelNames(s.labels);
      const fits = byShape && (i === 0 || fitsShape(s.labels, shape));
      if (!fits || i === 0) for (const l of labelNames(s.labels)) checkLabelName(l, f.name, okLabels);
      if (byShape && !fits) {
        // Mixed label-name lists: identify this family's series by their full keys from here on.
        byShape = false;
        keys = new Set(samples.slice(0, i).map((p) => seriesKey(p.suffix ?? '', p.labels)));
      }
      if (i > 0) {
        const first = samples[0]!;
        keys ??= new Set([shapeKey(first.suffix ?? '', first.labels, shape)]);
        const key = byShape ? shapeKey(suffix, s.labels, shape) : seriesKey(suffix, s.labels);
        if (keys.has(key)) throw new CollectorError(`duplicate series in ${f.name}`);
        keys.add(key);
      }
      series++;
      if (series > maxSeries)
        throw new CollectorError(`more than ${maxSeries} series; raise --exporter.max_series or filter`);
    }
  }
  return series;
}

/** The reference check: one set of full keys (sample name and sorted labels) for all families. */
export function validateFamiliesByKey(families: readonly MetricFamily[], maxSeries: number): number {
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
