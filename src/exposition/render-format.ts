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
import type { ExpositionFormat } from './format.js';
import { liveFamilies } from './live-families.js';
import { type RoundMemo, memo } from './memo.js';
import { OPENMETRICS_EOF, openMetricsChunks } from './openmetrics.js';
import { protobufChunks } from './protobuf.js';
import { PROMETHEUS_CONTENT_TYPE, checkNames, renderExposition, sharedResponse } from './render.js';
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
  checkNames(
    live.map((f) => f.name),
    families,
  );
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
  return sharedResponse(opts.round, formatKey(format, opts), extra, encoding, () =>
    renderNow(families, format, extra, opts),
  );
}
