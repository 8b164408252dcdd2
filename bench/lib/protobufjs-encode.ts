/**
 * The protobuf exposition written with protobufjs (metrics.proto from test/helpers) instead of our
 * own writer: message objects built from the families, then `encodeDelimited`. Only for the
 * benchmark's comparison of the two ways (the exporter itself uses src/exposition/protobuf.ts).
 */
import { join } from 'node:path';
import protobuf from 'protobufjs';
import type { MetricFamily } from '../../src/model/metrics.js';

const TYPES = { counter: 0, gauge: 1, summary: 2, untyped: 3, histogram: 4 } as const;

let familyType: protobuf.Type | undefined;

function type(): protobuf.Type {
  familyType ??= protobuf
    .loadSync(join(import.meta.dirname, '..', '..', 'test', 'helpers', 'metrics.proto'))
    .lookupType('io.prometheus.client.MetricFamily');
  return familyType;
}

const pairs = (labels: Readonly<Record<string, string>>, skip?: string) =>
  Object.keys(labels)
    .filter((k) => k !== skip)
    .map((k) => ({ name: k, value: labels[k] }));

function message(f: MetricFamily): Record<string, unknown> {
  const metric: Record<string, unknown>[] = [];
  if (f.type === 'histogram' || f.type === 'summary') {
    const skip = f.type === 'histogram' ? 'le' : 'quantile';
    const groups = new Map<string, { labels: unknown; count: number; sum: number; parts: unknown[] }>();
    for (const s of f.samples) {
      const labels = pairs(s.labels, skip);
      const key = JSON.stringify(labels);
      let g = groups.get(key);
      if (!g) {
        g = { labels, count: 0, sum: 0, parts: [] };
        groups.set(key, g);
      }
      if (s.suffix === '_count') g.count = s.value;
      else if (s.suffix === '_sum') g.sum = s.value;
      else if (f.type === 'histogram' && s.labels.le !== '+Inf')
        g.parts.push({ cumulativeCount: s.value, upperBound: Number(s.labels.le) });
      else if (f.type === 'summary') g.parts.push({ quantile: Number(s.labels.quantile), value: s.value });
    }
    for (const g of groups.values()) {
      metric.push(
        f.type === 'histogram'
          ? { label: g.labels, histogram: { sampleCount: g.count, sampleSum: g.sum, bucket: g.parts } }
          : { label: g.labels, summary: { sampleCount: g.count, sampleSum: g.sum, quantile: g.parts } },
      );
    }
  } else {
    const field = f.type === 'gauge' ? 'gauge' : f.type === 'counter' ? 'counter' : 'untyped';
    for (const s of f.samples) metric.push({ label: pairs(s.labels), [field]: { value: s.value } });
  }
  return { name: f.name, help: f.help, type: TYPES[f.type], metric };
}

export function protobufjsEncode(families: readonly MetricFamily[]): Uint8Array {
  const t = type();
  const w = protobuf.Writer.create();
  for (const f of families) t.encodeDelimited(message(f), w);
  return w.finish();
}
