/**
 * Live prom-client metrics (the exporter's own: process, Node.js runtime, build info; an embedding
 * app's registries) read once into plain MetricFamily objects, so that every exposition format is
 * written by our own encoders from one kind of input.
 */
import type { Metric } from 'prom-client';
import type { MetricFamily, MetricType, Sample } from '../model/metrics.js';

/** The part of a prom-client metric's `get()` result that is read here. */
interface LiveValue {
  readonly labels?: Readonly<Record<string, string | number>>;
  readonly value: number;
  readonly metricName?: string;
}
interface LiveGet {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly values: readonly LiveValue[];
}

const TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'histogram', 'summary']);

export function liveFamily(got: LiveGet): MetricFamily {
  const type = (TYPES.has(got.type) ? got.type : 'untyped') as MetricType;
  const samples: Sample[] = [];
  for (const v of got.values) {
    const labels: Record<string, string> = {};
    for (const [k, x] of Object.entries(v.labels ?? {})) labels[k] = `${x}`;
    const name = v.metricName;
    const suffix =
      name !== undefined && name !== got.name && name.startsWith(got.name)
        ? name.slice(got.name.length)
        : undefined;
    samples.push(suffix === undefined ? { labels, value: v.value } : { labels, value: v.value, suffix });
  }
  return { name: got.name, help: got.help, type, samples };
}

export async function liveFamilies(metrics: readonly Metric[]): Promise<MetricFamily[]> {
  const got = await Promise.all(
    metrics.map((m) => (m as unknown as { get(): Promise<LiveGet> | LiveGet }).get()),
  );
  return got.map(liveFamily);
}
