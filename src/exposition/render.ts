/**
 * Plain metric families -> text. Scrape families are written by `serialize.ts` straight from the
 * plain objects (byte-identical to what prom-client writes for them, without its per-sample cost);
 * live prom-client metrics (the exporter's own: process, Node.js runtime, build info) still go
 * through a fresh prom-client Registry per response and come first, as before.
 */
import { Registry } from 'prom-client';
import type { Metric } from 'prom-client';
import type { MetricFamily } from '../model/metrics.js';
import { gzipExposition } from './compress.js';
import { type RoundMemo, memo } from './memo.js';
import { type Exposition, assembleChunks, expositionText, serializeChunks } from './serialize.js';

export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;
export const OPENMETRICS_CONTENT_TYPE = Registry.OPENMETRICS_CONTENT_TYPE;
export type ContentType = typeof PROMETHEUS_CONTENT_TYPE | typeof OPENMETRICS_CONTENT_TYPE;

/** A live metric's name (prom-client metrics have one; the typings do not say so). */
function metricName(m: Metric): string | undefined {
  const name = (m as unknown as { readonly name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

/**
 * Two metrics of one name are refused (live ones first, then the families), as prom-client's
 * Registry refuses them, in every format.
 */
export function checkNames(live: Iterable<string>, families: readonly MetricFamily[]): void {
  const names = new Set<string>();
  const add = (name: string): void => {
    if (names.has(name)) throw new Error(`A metric with the name ${name} has already been registered.`);
    names.add(name);
  };
  for (const name of live) add(name);
  for (const f of families) add(f.name);
}

/** The names of live metrics (those that have one). */
function liveNames(extra: readonly Metric[]): string[] {
  const names: string[] = [];
  for (const m of extra) {
    const name = metricName(m);
    if (name !== undefined) names.push(name);
  }
  return names;
}

/**
 * A response made by `make`, gzipped when `encoding` says so. With `round`, it is made once per round
 * for `key` (the format with its options) and the live metrics' names, and compressed once.
 */
export function sharedResponse(
  round: RoundMemo | undefined,
  key: string,
  extra: readonly Metric[],
  encoding: 'gzip' | undefined,
  make: () => Promise<Exposition>,
): Promise<Exposition> {
  if (!round) {
    const plain = make();
    return encoding === 'gzip' ? plain.then(gzipExposition) : plain;
  }
  let k = key;
  for (const m of extra) k += `\u0000${metricName(m) ?? ''}`;
  const out = memo(round.outputs, k, make);
  if (encoding !== 'gzip') return out;
  // Prefixed: no list of live metric names can spell it (a metric named `gzip` could end a key).
  return memo(round.outputs, `gzip\u0001${k}`, () => out.then(gzipExposition));
}

/** The families' own text: reused when another caller of the same round has rendered it already. */
function body(
  families: readonly MetricFamily[],
  contentType: ContentType,
  round: RoundMemo | undefined,
): Exposition {
  const om = contentType === OPENMETRICS_CONTENT_TYPE;
  if (!round) return serializeChunks(families, om);
  return memo(round.texts, contentType, () => serializeChunks(families, om));
}

async function renderNow(
  families: readonly MetricFamily[],
  contentType: ContentType,
  extra: readonly Metric[],
  round: RoundMemo | undefined,
): Promise<Exposition> {
  const om = contentType === OPENMETRICS_CONTENT_TYPE;
  checkNames(liveNames(extra), families);
  if (extra.length === 0) return assembleChunks(undefined, body(families, contentType, round), om);
  const registry = new Registry<ContentType>();
  registry.setContentType(contentType);
  for (const m of extra) registry.registerMetric(m);
  const text = await registry.metrics();
  // Drop the registry's ending; the families follow and assembleChunks() writes it.
  const head = text.slice(0, text.length - (om ? '\n# EOF\n'.length : 1));
  return assembleChunks(head, body(families, contentType, round), om);
}

/**
 * Renders families (plus any live prom-client metrics, e.g. process metrics) as one exposition, in
 * UTF-8 chunks to be written as they are, gzipped when `encoding` says so. With `round` (the memo of
 * the scrape round `families` were built from, which the caller must not have changed), callers of
 * one round that pass live metrics of the same names get one response rendered (and compressed)
 * once: its live metrics are read when the first of them renders, within the round they all share.
 */
export function renderExposition(
  families: readonly MetricFamily[],
  contentType: ContentType,
  extra: readonly Metric[] = [],
  encoding?: 'gzip',
  round?: RoundMemo,
): Promise<Exposition> {
  return sharedResponse(round, contentType, extra, encoding, () =>
    renderNow(families, contentType, extra, round),
  );
}

/** renderExposition as one string. */
export async function render(
  families: readonly MetricFamily[],
  contentType: ContentType,
  extra: readonly Metric[] = [],
  round?: RoundMemo,
): Promise<string> {
  return expositionText(await renderExposition(families, contentType, extra, undefined, round));
}
