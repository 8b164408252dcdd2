/**
 * Text exposition written straight from plain MetricFamily objects, byte for byte what prom-client
 * 15's Registry writes for the same families (HELP and TYPE lines, label order, escaping, value
 * formatting, blank line between families, OpenMetrics `unknown` and counter `_total`), without its
 * per-sample object, array and closure allocations. test/unit/exposition/serializer.test.ts holds it
 * to prom-client's own output.
 */
import type { MetricFamily, Sample } from '../scrape/types.js';

const TEXT_ESCAPE = /[\\\n]/;
const LABEL_ESCAPE = /[\\\n"]/;

/** prom-client's escapeString: backslash and newline (HELP text, metric names). */
export function escapeText(s: string): string {
  return TEXT_ESCAPE.test(s) ? s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n') : s;
}

/** prom-client's escapeLabelValue: backslash, newline and double quote. */
export function escapeLabelValue(s: string): string {
  return LABEL_ESCAPE.test(s) ? s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"') : s;
}

/** prom-client's getValueAsString (including its `Nan` spelling). */
export function valueString(v: number): string {
  if (Number.isNaN(v)) return 'Nan';
  if (!Number.isFinite(v)) return v < 0 ? '-Inf' : '+Inf';
  return `${v}`;
}

function sampleLine(metricName: string, s: Sample): string {
  const labels = s.labels;
  let line = metricName;
  let first = true;
  for (const k of Object.keys(labels)) {
    line += `${first ? '{' : ','}${k}="${escapeLabelValue(`${labels[k]}`)}"`;
    first = false;
  }
  return `${line}${first ? '' : '}'} ${valueString(s.value)}`;
}

/** One family: `# HELP`, `# TYPE` and its sample lines, joined by newlines (no trailing newline). */
export function serializeFamily(f: MetricFamily, openMetrics: boolean): string {
  const type = openMetrics && f.type === 'untyped' ? 'unknown' : f.type;
  const name = escapeText(f.name);
  // prom-client appends `_total` to every counter sample name in OpenMetrics.
  const tail = openMetrics && type === 'counter' ? '_total' : '';
  let out = `# HELP ${name} ${escapeText(f.help)}\n# TYPE ${name} ${type}`;
  for (const s of f.samples) out += `\n${sampleLine((s.suffix ? f.name + s.suffix : name) + tail, s)}`;
  return out;
}

/**
 * Families as prom-client's `Registry.metrics()` joins them: `\n\n` between families and `\n` at the
 * end (Prometheus text), or `\n` between families and `\n# EOF\n` at the end (OpenMetrics). `head`
 * is text already rendered for metrics that come first (joined the same way, without the ending).
 */
export function serializeFamilies(
  families: readonly MetricFamily[],
  openMetrics: boolean,
  head?: string,
): string {
  const sep = openMetrics ? '\n' : '\n\n';
  let out = head ?? '';
  let first = head === undefined;
  for (const f of families) {
    out += first ? serializeFamily(f, openMetrics) : sep + serializeFamily(f, openMetrics);
    first = false;
  }
  return out + (openMetrics ? '\n# EOF\n' : '\n');
}
