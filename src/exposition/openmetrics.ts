/**
 * OpenMetrics 1.0 text, written from plain MetricFamily objects, so that Prometheus stores exactly the
 * series names and labels the classic text gives it (dashboards and rules keep working whichever of
 * the two it negotiates):
 * - a counter named `<x>_total` is the family `<x>` (TYPE counter) with samples `<x>_total`;
 * - a counter whose name does not end in `_total` (mysqld_exporter has some) is typed `unknown`:
 *   OpenMetrics would otherwise make its samples `<name>_total`, a new series name;
 * - `untyped` is `unknown`; gauges, histograms and summaries keep their names and labels (`le` and
 *   `quantile` values are written as in the classic text);
 * - `# UNIT` is written when the family name ends in a base unit (`_seconds`, `_bytes`, ...), which
 *   OpenMetrics requires it to;
 * - HELP escapes `\`, newline and `"`; values are `NaN`, `+Inf`, `-Inf` or JavaScript's shortest
 *   round-trip form.
 * The body stops before `# EOF`, which the assembler writes after the last family.
 */
import type { MetricFamily } from '../model/metrics.js';
import { ChunkSink, type Exposition, escapeLabelValue, labelText } from './serialize.js';

/** Prometheus's base units that a family name may end in. */
const BASE_UNITS = ['seconds', 'bytes', 'ratio', 'celsius', 'joules', 'grams', 'meters', 'volts', 'amperes'];

export function unitOf(familyName: string): string | undefined {
  for (const u of BASE_UNITS) {
    if (
      familyName.length > u.length + 1 &&
      familyName.endsWith(u) &&
      familyName.charCodeAt(familyName.length - u.length - 1) === 95 // '_'
    )
      return u;
  }
  return undefined;
}

export function openMetricsValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v < 0 ? '-Inf' : '+Inf';
  return `${v}`;
}

/** The OpenMetrics family name and type of a family. */
export function openMetricsDescriptor(f: MetricFamily): { readonly name: string; readonly type: string } {
  if (f.type === 'counter') {
    return f.name.endsWith('_total') && f.name.length > '_total'.length
      ? { name: f.name.slice(0, -'_total'.length), type: 'counter' }
      : { name: f.name, type: 'unknown' };
  }
  return { name: f.name, type: f.type === 'untyped' ? 'unknown' : f.type };
}

/** The families as OpenMetrics text, without the closing `# EOF`. */
export function openMetricsChunks(families: readonly MetricFamily[]): Exposition {
  const sink = new ChunkSink();
  for (const f of families) {
    const d = openMetricsDescriptor(f);
    const unit = unitOf(d.name);
    // OpenMetrics escapes HELP as it escapes label values.
    let head = f.help === '' ? '' : `# HELP ${d.name} ${escapeLabelValue(f.help)}\n`;
    head += `# TYPE ${d.name} ${d.type}\n`;
    if (unit !== undefined) head += `# UNIT ${d.name} ${unit}\n`;
    sink.line(head);
    const samples = f.samples;
    for (let j = 0; j < samples.length; j++) {
      const s = samples[j]!;
      sink.line(
        `${s.suffix ? f.name + s.suffix : f.name}${labelText(s.labels)} ${openMetricsValue(s.value)}\n`,
      );
    }
  }
  return sink.finish();
}

export const OPENMETRICS_EOF = Buffer.from('# EOF\n');
