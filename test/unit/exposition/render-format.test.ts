/**
 * Every format from the same families: the same samples (checked by reading OpenMetrics back
 * line by line and protobuf through protobufjs), live prom-client metrics in front, one encoding per
 * format per shared scrape round, gzip per format.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { Counter, Gauge, Histogram, type Metric, Registry, Summary } from 'prom-client';
import { mapGlobalStatus } from '../../../src/collectors/global-status.js';
import { renderFormat } from '../../../src/exposition/render-format.js';
import { ExpositionMemo } from '../../../src/exposition/memo.js';
import { expositionText } from '../../../src/exposition/serialize.js';
import type { MetricFamily } from '../../../src/model/metrics.js';
import { scrapeFamilies } from '../../../src/scrape/scrape-families.js';
import { loadTsv } from '../../helpers/fixtures.js';
import { decodeDelimited } from '../../helpers/protobuf-decode.js';

const flat = async (p: Promise<{ chunks: readonly Buffer[] }>) => Buffer.concat((await p).chunks as Buffer[]);

function liveMetrics(): Metric[] {
  const reg = new Registry();
  new Gauge({ name: 'self_build_info', help: 'Build.', labelNames: ['v'], registers: [reg] }).set(
    { v: '1' },
    1,
  );
  new Counter({ name: 'self_requests_total', help: 'Requests.', registers: [reg] }).inc(3);
  new Histogram({ name: 'self_seconds', help: 'Durations.', buckets: [0.1, 1], registers: [reg] }).observe(
    0.5,
  );
  new Summary({ name: 'self_summary', help: 'S.', percentiles: [0.5], registers: [reg] }).observe(2);
  return reg.getMetricsAsArray() as unknown as Metric[];
}

function statusFamilies(): MetricFamily[] {
  const res = loadTsv('mariadb-10.8.4/show-global-status.tsv');
  const [n, v] = res.columns as [string, string];
  return mapGlobalStatus(res.rows.map((r) => [String(r[n]), r[v]] as const));
}

/** Samples of a text exposition as `name{labels} value` lines, sorted (comments dropped). */
function textSamples(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .sort();
}

/** Samples of a protobuf exposition, written back as text sample lines (classic names and `le` strings). */
function protobufSamples(bytes: Buffer, les: ReadonlyMap<number, string>): string[] {
  const out: string[] = [];
  const fmt = (v: number) =>
    v === Number.POSITIVE_INFINITY ? '+Inf' : v === Number.NEGATIVE_INFINITY ? '-Inf' : `${v}`;
  const line = (name: string, labels: [string, string][], v: number) =>
    out.push(
      `${name}${labels.length ? `{${labels.map(([k, x]) => `${k}="${x.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`).join(',')}}` : ''} ${fmt(v)}`,
    );
  for (const f of decodeDelimited(bytes) as Array<{ name: string; metric?: Array<Record<string, never>> }>) {
    for (const m of f.metric ?? []) {
      const labels = ((m.label ?? []) as Array<{ name: string; value?: string }>).map(
        (l) => [l.name, l.value ?? ''] as [string, string],
      );
      const one = (m.gauge ?? m.counter ?? m.untyped) as { value?: number } | undefined;
      if (one) line(f.name, labels, one.value ?? 0);
      const h = m.histogram as
        | {
            sampleCount?: number;
            sampleSum?: number;
            bucket?: Array<{ cumulativeCount?: number; upperBound: number }>;
          }
        | undefined;
      if (h) {
        for (const b of h.bucket ?? [])
          line(
            `${f.name}_bucket`,
            [...labels, ['le', les.get(b.upperBound) ?? `${b.upperBound}`]],
            b.cumulativeCount ?? 0,
          );
        line(`${f.name}_bucket`, [...labels, ['le', '+Inf']], h.sampleCount ?? 0);
        line(`${f.name}_sum`, labels, h.sampleSum ?? 0);
        line(`${f.name}_count`, labels, h.sampleCount ?? 0);
      }
      const s = m.summary as
        | { sampleCount?: number; sampleSum?: number; quantile?: Array<{ quantile: number; value: number }> }
        | undefined;
      if (s) {
        for (const q of s.quantile ?? []) line(f.name, [...labels, ['quantile', `${q.quantile}`]], q.value);
        line(`${f.name}_sum`, labels, s.sampleSum ?? 0);
        line(`${f.name}_count`, labels, s.sampleCount ?? 0);
      }
    }
  }
  return out.sort();
}

test('the same samples in every format (global status fixture plus live prom-client metrics)', async () => {
  const families = statusFamilies();
  assert.ok(families.length > 100);
  const extra = liveMetrics();
  const text = (await flat(renderFormat(families, 'text', extra))).toString('utf8');
  const om = (await flat(renderFormat(families, 'openmetrics', extra))).toString('utf8');
  const pb = await flat(renderFormat(families, 'protobuf', extra));
  assert.ok(om.endsWith('\n# EOF\n'));
  assert.equal(om.indexOf('# EOF'), om.length - '# EOF\n'.length, 'one # EOF, last');
  const expected = textSamples(text);
  assert.ok(expected.length > 400);
  assert.deepEqual(textSamples(om), expected);
  assert.deepEqual(
    protobufSamples(
      pb,
      new Map([
        [0.1, '0.1'],
        [1, '1'],
      ]),
    ),
    expected,
  );
  // Live metrics first, as in the text.
  assert.match(om, /^# HELP self_build_info /);
  assert.equal(decodeDelimited(pb)[0]?.name, 'self_build_info');
  // OpenMetrics descriptors: `_total` counters keep their samples' names; others become unknown.
  assert.match(om, /\n# TYPE self_requests counter\nself_requests_total 3\n/);
  assert.match(om, /\n# TYPE self_seconds histogram\n# UNIT self_seconds seconds\n/);
  assert.match(om, /\n# TYPE mysql_global_status_commands counter\nmysql_global_status_commands_total\{/);
  assert.match(om, /\n# TYPE mysql_global_status_uptime unknown\nmysql_global_status_uptime \d/);
});

test('a name twice is refused in every format', async () => {
  const f: MetricFamily = { name: 'self_requests_total', help: 'x', type: 'counter', samples: [] };
  for (const format of ['openmetrics', 'protobuf'] as const) {
    await assert.rejects(renderFormat([f, f], format), /already been registered/);
    await assert.rejects(renderFormat([f], format, liveMetrics()), /already been registered/);
  }
});

test('protobuf: long names, multi-byte text and a family over 64 KiB read back intact', () => {
  const long = 'x'.repeat(300);
  const samples = Array.from({ length: 5000 }, (_, i) => ({
    labels: { i: `${i}`, u: 'ünï €' },
    value: i * 1.5,
  }));
  const families: MetricFamily[] = [
    { name: 'long_help', help: long, type: 'gauge', samples: [{ labels: { l: long }, value: 1 }] },
    { name: 'big', help: 'Big.', type: 'untyped', samples },
  ];
  return flat(renderFormat(families, 'protobuf')).then((pb) => {
    assert.ok(pb.length > 64 * 1024);
    const [a, b] = decodeDelimited(pb) as Array<{
      help: string;
      metric: Array<{ label: { value: string }[] }>;
    }>;
    assert.equal(a?.help, long);
    assert.equal(a?.metric[0]?.label[0]?.value, long);
    assert.equal(b?.metric.length, 5000);
    assert.equal(b?.metric[4999]?.label[1]?.value, 'ünï €');
  });
});

test('one shared round: each format encoded once, whole responses shared per format and gzip', async () => {
  const result = { up: true, connectSeconds: 0.01, outcomes: [], families: statusFamilies() };
  const round = new ExpositionMemo().of(result);
  const a = scrapeFamilies(result);
  const b = scrapeFamilies(result);
  const pbA = await renderFormat(a, 'protobuf', [], undefined, { round });
  const pbB = await renderFormat(b, 'protobuf', [], undefined, { round });
  assert.equal(pbA, pbB, 'the second caller gets the first response');
  const omA = await renderFormat(a, 'openmetrics', [], undefined, { round });
  assert.notEqual(omA, pbA);
  assert.equal(await renderFormat(b, 'openmetrics', [], undefined, { round }), omA);
  // The families' own encoding is kept per format (and reused under different live metrics).
  assert.deepEqual([...round.texts.keys()].sort(), ['format:openmetrics', 'format:protobuf']);
  const withLive = await renderFormat(b, 'protobuf', liveMetrics(), undefined, { round });
  assert.ok(withLive.byteLength > pbA.byteLength);
  assert.equal(round.texts.size, 2, 'no second encoding of the families');
  // gzip per format: the same round, compressed once per format, and it unzips to the plain bytes.
  const gzA = await renderFormat(a, 'protobuf', [], 'gzip', { round });
  assert.equal(await renderFormat(b, 'protobuf', [], 'gzip', { round }), gzA);
  assert.deepEqual(gunzipSync(Buffer.concat(gzA.chunks as Buffer[])), Buffer.concat(pbA.chunks as Buffer[]));
  const gzOm = await renderFormat(a, 'openmetrics', [], 'gzip', { round });
  assert.equal(gunzipSync(Buffer.concat(gzOm.chunks as Buffer[])).toString('utf8'), expositionText(omA));
  // Without the round's memo every call renders afresh.
  const fresh = await renderFormat(a, 'protobuf');
  assert.notEqual(fresh, pbA);
  assert.deepEqual(Buffer.concat(fresh.chunks as Buffer[]), Buffer.concat(pbA.chunks as Buffer[]));
});

test('native histograms go into protobuf only with the option; the text formats never change', async () => {
  const h: MetricFamily = {
    name: 'h_seconds',
    help: 'H',
    type: 'histogram',
    samples: [
      { suffix: '_bucket', labels: { le: '1' }, value: 1 },
      { suffix: '_bucket', labels: { le: '+Inf' }, value: 1 },
      { suffix: '_sum', labels: {}, value: 0.5 },
      { suffix: '_count', labels: {}, value: 1 },
    ],
    native: [
      {
        labels: {},
        count: 1,
        sum: 0.5,
        schema: 0,
        zeroThreshold: 0.25,
        zeroCount: 0,
        positive: [{ index: 0, count: 1 }],
      },
    ],
  };
  const plain: MetricFamily = { ...h };
  delete (plain as { native?: unknown }).native;
  const histogramOf = async (opts: { native?: boolean }) =>
    (
      decodeDelimited(await flat(renderFormat([h], 'protobuf', [], undefined, opts)))[0] as {
        metric: Array<{ histogram: Record<string, unknown> }>;
      }
    ).metric[0]?.histogram;
  assert.equal((await histogramOf({}))?.schema, undefined);
  assert.deepEqual(await histogramOf({}), await histogramOf({ native: false }));
  assert.equal((await histogramOf({ native: true }))?.schema, 0);
  assert.deepEqual(await flat(renderFormat([h], 'protobuf')), await flat(renderFormat([plain], 'protobuf')));
  for (const format of ['text', 'openmetrics'] as const)
    assert.deepEqual(
      await flat(renderFormat([h], format, [], undefined, { native: true })),
      await flat(renderFormat([plain], format)),
    );
  // One shared round: with and without native are two entries of the memo.
  const round = new ExpositionMemo().of({});
  const withNative = await renderFormat([h], 'protobuf', [], undefined, { native: true, round });
  const without = await renderFormat([h], 'protobuf', [], undefined, { round });
  assert.notEqual(withNative.byteLength, without.byteLength);
  assert.deepEqual([...round.texts.keys()].sort(), ['format:protobuf', 'format:protobuf+native']);
});
