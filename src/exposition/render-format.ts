/**
 * One scrape's response in a negotiated format. The classic text goes through `renderExposition`
 * (render.ts) unchanged; OpenMetrics and protobuf are written by openmetrics.ts and protobuf.ts from
 * the same families, with the live prom-client metrics (read once per response) in front as in the
 * text. Within one shared scrape round the families are encoded once per format, and each whole
 * response (format, live metric names, gzip) once: the round's memo is keyed by format.
 * `native` (--exporter.native_histograms) puts the families' native histograms into protobuf; the
 * text formats never carry them.
 */
import type { Metric } from 'prom-client';
import type { MetricFamily } from '../model/metrics.js';
import { gzipExposition } from './compress.js';
import type { ExpositionFormat } from './format.js';
import { liveFamilies } from './live-families.js';
import { type RoundMemo, memo } from './memo.js';
import { OPENMETRICS_EOF, openMetricsChunks } from './openmetrics.js';
import { protobufChunks } from './protobuf.js';
import { PROMETHEUS_CONTENT_TYPE, renderExposition } from './render.js';
import type { Exposition } from './serialize.js';

type BinaryFormat = Exclude<ExpositionFormat, 'text'>;

export interface FormatOptions {
  /** Native histograms in protobuf (--exporter.native_histograms). */
  readonly native?: boolean;
  /**
   * The memo of the scrape round `families` were built from (which the caller must not have
   * changed): callers of one round share each format's encoding and response.
   */
  readonly round?: RoundMemo;
}

/** The families alone (no live metrics, no ending) in a format other than the classic text. */
export function encodeFamilies(
  families: readonly MetricFamily[],
  format: BinaryFormat,
  opts: FormatOptions = {},
): Exposition {
  return format === 'protobuf' ? protobufChunks(families, opts) : openMetricsChunks(families);
}

/** The memo key of a format with its options (OpenMetrics has none). */
function formatKey(format: BinaryFormat, opts: FormatOptions): string {
  return format === 'protobuf' && opts.native === true ? 'format:protobuf+native' : `format:${format}`;
}

/** Two families of one name are refused, as prom-client's Registry refuses them in the text. */
function checkNames(live: readonly MetricFamily[], families: readonly MetricFamily[]): void {
  const names = new Set<string>();
  for (const f of [...live, ...families]) {
    if (names.has(f.name)) throw new Error(`A metric with the name ${f.name} has already been registered.`);
    names.add(f.name);
  }
}

function body(families: readonly MetricFamily[], format: BinaryFormat, opts: FormatOptions): Exposition {
  if (!opts.round) return encodeFamilies(families, format, opts);
  return memo(opts.round.texts, formatKey(format, opts), () => encodeFamilies(families, format, opts));
}

async function renderNow(
  families: readonly MetricFamily[],
  format: BinaryFormat,
  extra: readonly Metric[],
  opts: FormatOptions,
): Promise<Exposition> {
  const live = extra.length === 0 ? [] : await liveFamilies(extra);
  checkNames(live, families);
  const chunks: Buffer[] = [];
  if (live.length > 0) chunks.push(...encodeFamilies(live, format).chunks);
  chunks.push(...body(families, format, opts).chunks);
  if (format === 'openmetrics') chunks.push(OPENMETRICS_EOF);
  let byteLength = 0;
  for (const c of chunks) byteLength += c.length;
  return { chunks, byteLength };
}

/**
 * Renders families (plus live prom-client metrics in front) in `format`, gzipped when `encoding`
 * says so; callers of one shared round share each format's response.
 */
export function renderFormat(
  families: readonly MetricFamily[],
  format: ExpositionFormat,
  extra: readonly Metric[] = [],
  encoding?: 'gzip',
  opts: FormatOptions = {},
): Promise<Exposition> {
  if (format === 'text')
    return renderExposition(families, PROMETHEUS_CONTENT_TYPE, extra, encoding, opts.round);
  const shared = opts.round;
  if (!shared) {
    const plain = renderNow(families, format, extra, opts);
    return encoding === 'gzip' ? plain.then(gzipExposition) : plain;
  }
  let key = formatKey(format, opts);
  for (const m of extra) key += `\u0000${(m as unknown as { name?: string }).name ?? ''}`;
  const out = memo(shared.outputs, key, () => renderNow(families, format, extra, opts));
  if (encoding !== 'gzip') return out;
  return memo(shared.outputs, `gzip\u0001${key}`, () => out.then(gzipExposition));
}
