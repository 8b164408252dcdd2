/**
 * Plain metric families -> text, through a fresh prom-client Registry per response. Families are
 * wrapped in minimal metric objects (prom-client's `get()` contract), so no labelled metric outlives
 * the request and `untyped` keeps mysqld_exporter's types.
 */
import { Registry } from 'prom-client';
import type { Metric } from 'prom-client';
import type { MetricFamily } from '../scrape/types.js';

export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;
export const OPENMETRICS_CONTENT_TYPE = Registry.OPENMETRICS_CONTENT_TYPE;
export type ContentType = typeof PROMETHEUS_CONTENT_TYPE | typeof OPENMETRICS_CONTENT_TYPE;

/** Picks OpenMetrics only when the client asks for it, as Prometheus does with its Accept header. */
export function negotiate(accept: string | undefined): ContentType {
  return accept?.includes('application/openmetrics-text')
    ? OPENMETRICS_CONTENT_TYPE
    : PROMETHEUS_CONTENT_TYPE;
}

function asMetric(f: MetricFamily, openMetrics: boolean): Metric {
  const type = openMetrics && f.type === 'untyped' ? 'unknown' : f.type;
  const values = f.samples.map((s) => ({
    labels: s.labels,
    value: s.value,
    ...(s.suffix ? { metricName: f.name + s.suffix } : {}),
  }));
  const snapshot = { name: f.name, help: f.help, type, values, aggregator: 'sum' };
  return { name: f.name, help: f.help, type, get: async () => snapshot } as unknown as Metric;
}

/** Renders families (plus any live prom-client metrics, e.g. process metrics) as one exposition. */
export async function render(
  families: readonly MetricFamily[],
  contentType: ContentType,
  extra: readonly Metric[] = [],
): Promise<string> {
  const registry = new Registry<ContentType>();
  registry.setContentType(contentType);
  const om = contentType === OPENMETRICS_CONTENT_TYPE;
  for (const m of extra) registry.registerMetric(m);
  for (const f of families) registry.registerMetric(asMetric(f, om));
  return registry.metrics();
}
