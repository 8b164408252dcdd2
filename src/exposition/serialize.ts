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

/** Families joined as prom-client joins them: `\n\n` (Prometheus text) or `\n` (OpenMetrics). */
export function serializeBody(families: readonly MetricFamily[], openMetrics: boolean): string {
  const sep = openMetrics ? '\n' : '\n\n';
  let out = '';
  for (let i = 0; i < families.length; i++) {
    out +=
      i === 0 ? serializeFamily(families[i]!, openMetrics) : sep + serializeFamily(families[i]!, openMetrics);
  }
  return out;
}

/**
 * One exposition as prom-client's `Registry.metrics()` writes it: `head` (text already rendered for
 * metrics that come first, joined the same way, without the ending), then `body` (serializeBody),
 * then `\n` (Prometheus text) or `\n# EOF\n` (OpenMetrics).
 */
export function assemble(head: string | undefined, body: string, openMetrics: boolean): string {
  const end = openMetrics ? '\n# EOF\n' : '\n';
  if (head === undefined) return body + end;
  if (body === '') return head + end;
  return head + (openMetrics ? '\n' : '\n\n') + body + end;
}

export function serializeFamilies(
  families: readonly MetricFamily[],
  openMetrics: boolean,
  head?: string,
): string {
  return assemble(head, serializeBody(families, openMetrics), openMetrics);
}
