/**
 * Golden comparison: our serializer against prom-client's own Registry output for the same families
 * (wrapped as render.ts used to wrap them), for both content types, with and without live
 * prom-client metrics in front.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import type { Metric } from 'prom-client';
import { mapGlobalStatus } from '../../../src/collectors/global-status.js';
import { mapGlobalVariables } from '../../../src/collectors/global-variables.js';
import {
  type ContentType,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
  render,
  renderExposition,
} from '../../../src/exposition/render.js';
import { scrapeFamilies } from '../../../src/scrape/scrape-families.js';
import { ExpositionMemo } from '../../../src/exposition/memo.js';
import type { MetricFamily } from '../../../src/model/metrics.js';
import { loadTsv } from '../../helpers/fixtures.js';

/** The previous render path: every family through prom-client's Registry. */
async function promClientRender(
  families: readonly MetricFamily[],
  contentType: ContentType,
  extra: readonly Metric[] = [],
): Promise<string> {
  const registry = new Registry<ContentType>();
  registry.setContentType(contentType);
  const om = contentType === OPENMETRICS_CONTENT_TYPE;
  for (const m of extra) registry.registerMetric(m);
  for (const f of families) {
    const type = om && f.type === 'untyped' ? 'unknown' : f.type;
    const values = f.samples.map((s) => ({
      labels: s.labels,
      value: s.value,
      ...(s.suffix ? { metricName: f.name + s.suffix } : {}),
    }));
    const snapshot = { name: f.name, help: f.help, type, values, aggregator: 'sum' };
    registry.registerMetric({
      name: f.name,
      help: f.help,
      type,
      get: async () => snapshot,
    } as unknown as Metric);
  }
  return registry.metrics();
}

const FAMILIES: MetricFamily[] = [
  {
    name: 'mysql_global_status_uptime',
    help: 'Generic metric from SHOW GLOBAL STATUS.',
    type: 'untyped',
    samples: [{ labels: {}, value: 42 }],
  },
  {
    name: 'mysql_global_status_commands_total',
    help: 'Total number of executed MySQL commands.',
    type: 'counter',
    samples: [
      { labels: { command: 'select' }, value: 1234567890123 },
      { labels: { command: 'insert' }, value: 0 },
      { labels: { command: 'admin_commands' }, value: 1e21 },
    ],
  },
  {
    name: 'mysql_info_schema_table_rows',
    help: 'Help with a backslash \\ and a\nnewline and "quotes".',
    type: 'gauge',
    samples: [
      { labels: { schema: 'we\'ird"db\\x', table: 'new\nline' }, value: 3 },
      { labels: { schema: 'ünïcödé 🐬', table: '' }, value: -0.000001 },
      { labels: { table: 'order', schema: 'labels in insertion order' }, value: 0.1 + 0.2 },
      { labels: { schema: '\\"\n\\n', table: '{}=,' }, value: -0 },
    ],
  },
  {
    name: 'mysql_info_schema_query_response_time_seconds',
    help: 'The number of all queries by duration they took to execute.',
    type: 'histogram',
    samples: [
      { suffix: '_bucket', labels: { le: '1e-06' }, value: 1 },
      { suffix: '_bucket', labels: { le: '0.1' }, value: 10 },
      { suffix: '_bucket', labels: { le: '+Inf' }, value: 20 },
      { suffix: '_sum', labels: {}, value: 0.5 },
      { suffix: '_count', labels: {}, value: 20 },
    ],
  },
  {
    name: 'mysql_x_quantiles',
    help: 'A summary.',
    type: 'summary',
    samples: [
      { labels: { quantile: '0.5' }, value: 1.5 },
      { suffix: '_sum', labels: {}, value: 3 },
      { suffix: '_count', labels: {}, value: 2 },
      { suffix: '', labels: { quantile: '0.99' }, value: 2 },
    ],
  },
  { name: 'mysql_empty_family', help: '', type: 'gauge', samples: [] },
  {
    name: 'mysql_odd_values',
    help: 'Values the exporter never emits, but the serializer must still match.',
    type: 'untyped',
    samples: [
      { labels: { v: 'nan' }, value: Number.NaN },
      { labels: { v: 'inf' }, value: Number.POSITIVE_INFINITY },
      { labels: { v: '-inf' }, value: Number.NEGATIVE_INFINITY },
      { labels: { v: 'max' }, value: Number.MAX_VALUE },
      { labels: { v: 'tiny' }, value: 5e-324 },
      { labels: { v: 'int' }, value: 2 ** 53 + 2 },
    ],
  },
];

/** Live prom-client metrics (what SelfMetrics passes as `extra`), in a private registry. */
function liveMetrics(): Metric[] {
  const reg = new Registry();
  const g = new Gauge({
    name: 'mysql_exporter_build_info',
    help: 'Build info.',
    labelNames: ['version'],
    registers: [reg],
  });
  g.set({ version: 'v1 "quoted"' }, 1);
  const c = new Counter({ name: 'self_requests_total', help: 'Requests.', registers: [reg] });
  c.inc(3);
  const h = new Histogram({
    name: 'self_seconds',
    help: 'Durations.',
    buckets: [0.1, 1],
    registers: [reg],
  });
  h.observe(0.5);
  const s = new Summary({ name: 'self_summary', help: 'S.', percentiles: [0.5], registers: [reg] });
  s.observe(2);
  return reg.getMetricsAsArray() as unknown as Metric[];
}

for (const [label, ct] of [
  ['Prometheus text', PROMETHEUS_CONTENT_TYPE],
  ['OpenMetrics', OPENMETRICS_CONTENT_TYPE],
] as const) {
  test(`${label}: byte-identical to prom-client (untyped, counter, gauge, histogram, summary, escaping)`, async () => {
    assert.equal(await render(FAMILIES, ct), await promClientRender(FAMILIES, ct));
  });

  test(`${label}: byte-identical with live prom-client metrics in front`, async () => {
    const extra = liveMetrics();
    assert.equal(await render(FAMILIES, ct, extra), await promClientRender(FAMILIES, ct, extra));
  });

  test(`${label}: no families, and only live metrics`, async () => {
    assert.equal(await render([], ct), await promClientRender([], ct));
    const extra = liveMetrics();
    assert.equal(await render([], ct, extra), await promClientRender([], ct, extra));
  });

  test(`${label}: byte-identical on real collector output (SHOW GLOBAL STATUS / VARIABLES fixtures)`, async () => {
    const res = loadTsv('mariadb-10.8.4/show-global-status.tsv');
    const [n, v] = res.columns as [string, string];
    const status = res.rows.map((r) => [String(r[n]), r[v]] as const);
    const families = [
      ...mapGlobalStatus(status),
      ...mapGlobalVariables(status.map(([n, v]) => [`var_${n}`, v] as const)),
    ];
    assert.ok(families.length > 100);
    assert.equal(await render(families, ct), await promClientRender(families, ct));
  });
}

/** A scrape result of FAMILIES whose callers share one round, and that round's memo. */
const sharedRound = () => {
  const result = { up: true, connectSeconds: 0.01, outcomes: [], families: FAMILIES };
  return { result, round: new ExpositionMemo().of(result) };
};

test('a name registered twice is refused, as prom-client refuses it', async () => {
  const f = FAMILIES[0]!;
  await assert.rejects(render([f, f], PROMETHEUS_CONTENT_TYPE), /already been registered/);
  await assert.rejects(promClientRender([f, f], PROMETHEUS_CONTENT_TYPE), /already been registered/);
  const extra = liveMetrics();
  const clash: MetricFamily = { ...f, name: 'self_requests_total' };
  await assert.rejects(render([clash], PROMETHEUS_CONTENT_TYPE, extra), /already been registered/);
});

test('random families: byte-identical to prom-client', async () => {
  let seed = 7;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const alphabet = ['a', 'Z', '_', '0', ' ', '"', '\\', '\n', 'é', '{', '}', ',', '='];
  const str = (n: number) =>
    Array.from({ length: Math.floor(rnd() * n) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join(
      '',
    );
  const types = ['untyped', 'counter', 'gauge', 'histogram', 'summary'] as const;
  const families: MetricFamily[] = Array.from({ length: 60 }, (_, i) => ({
    name: `mysql_random_${i}`,
    help: str(20),
    type: types[i % types.length]!,
    samples: Array.from({ length: Math.floor(rnd() * 6) }, (_, j) => ({
      labels: Object.fromEntries(Array.from({ length: Math.floor(rnd() * 4) }, (_, k) => [`l${k}`, str(12)])),
      value: j % 3 === 0 ? Math.floor(rnd() * 1e6) : (rnd() - 0.5) * 10 ** Math.floor(rnd() * 30 - 15),
      ...(j % 4 === 1 ? { suffix: '_bucket' } : {}),
    })),
  }));
  for (const ct of [PROMETHEUS_CONTENT_TYPE, OPENMETRICS_CONTENT_TYPE] as const) {
    assert.equal(await render(families, ct), await promClientRender(families, ct));
  }
});

test('callers of one scrape round share its text, byte-identical to prom-client; a changed array is rendered without the memo', async () => {
  const result = {
    up: true,
    connectSeconds: 0.01,
    outcomes: [{ name: 'global_status', success: true, durationSeconds: 0.02, families: FAMILIES }],
    families: FAMILIES,
  };
  const round = new ExpositionMemo().of(result);
  const first = scrapeFamilies(result);
  const second = scrapeFamilies(result);
  assert.notEqual(first, second, 'every caller gets its own array');
  const expected = await promClientRender(first, PROMETHEUS_CONTENT_TYPE);
  assert.equal(await render(first, PROMETHEUS_CONTENT_TYPE, [], round), expected);
  assert.equal(round.texts.size, 1, 'the text is kept in the round memo');
  assert.equal(await render(second, PROMETHEUS_CONTENT_TYPE, [], round), expected);
  const extra = liveMetrics();
  assert.equal(
    await render(second, PROMETHEUS_CONTENT_TYPE, extra, round),
    await promClientRender(second, PROMETHEUS_CONTENT_TYPE, extra),
  );
  assert.equal(
    await render(second, OPENMETRICS_CONTENT_TYPE, [], round),
    await promClientRender(second, OPENMETRICS_CONTENT_TYPE),
  );
  const changed = scrapeFamilies(result);
  changed.push({
    name: 'mysql_added_by_caller',
    help: 'x',
    type: 'gauge',
    samples: [{ labels: {}, value: 1 }],
  });
  assert.equal(
    await render(changed, PROMETHEUS_CONTENT_TYPE),
    await promClientRender(changed, PROMETHEUS_CONTENT_TYPE),
  );
  const fewer = scrapeFamilies(result).slice(1);
  assert.equal(
    await render(fewer, PROMETHEUS_CONTENT_TYPE),
    await promClientRender(fewer, PROMETHEUS_CONTENT_TYPE),
  );
});

test('large outputs (written through a buffer) are byte-identical to prom-client', async () => {
  const big: MetricFamily[] = Array.from({ length: 6 }, (_, i) => ({
    name: `mysql_perf_schema_big_${i}_total`,
    help: i === 0 ? 'Help with \\ and\nnewline.' : 'Big family.',
    type: (['counter', 'untyped', 'gauge'] as const)[i % 3]!,
    samples: Array.from({ length: 1000 }, (_, j) => ({
      labels: { schema: `bench_s${j % 20}`, name: j % 7 === 0 ? `t"${j}\\\n` : `ünï ${j}`, index: 'PRIMARY' },
      value: j % 5 === 0 ? j / 7 : j * 1000 + i,
    })),
  }));
  for (const ct of [PROMETHEUS_CONTENT_TYPE, OPENMETRICS_CONTENT_TYPE] as const) {
    const expected = await promClientRender([...FAMILIES, ...big], ct);
    assert.equal(await render([...FAMILIES, ...big], ct), expected);
    const extra = liveMetrics();
    assert.equal(await render(big, ct, extra), await promClientRender(big, ct, extra));
  }
});

test('callers of one round with same-named live metrics get one response, read when the first renders', async () => {
  const { result, round } = sharedRound();
  const gauge = (v: number) => {
    const reg = new Registry();
    new Gauge({ name: 'self_value', help: 'A live value.', registers: [reg] }).set(v);
    return reg.getMetricsAsArray() as unknown as Metric[];
  };
  const first = await render(scrapeFamilies(result), PROMETHEUS_CONTENT_TYPE, gauge(1), round);
  assert.equal(first, await promClientRender(scrapeFamilies(result), PROMETHEUS_CONTENT_TYPE, gauge(1)));
  assert.equal(await render(scrapeFamilies(result), PROMETHEUS_CONTENT_TYPE, gauge(2), round), first);
  // Other live metrics, another content type, or none: rendered on their own.
  assert.equal(
    await render(scrapeFamilies(result), OPENMETRICS_CONTENT_TYPE, gauge(2), round),
    await promClientRender(scrapeFamilies(result), OPENMETRICS_CONTENT_TYPE, gauge(2)),
  );
  assert.equal(
    await render(scrapeFamilies(result), PROMETHEUS_CONTENT_TYPE, [], round),
    await promClientRender(scrapeFamilies(result), PROMETHEUS_CONTENT_TYPE),
  );
  // A new round reads them again.
  const next = sharedRound();
  assert.equal(
    await render(scrapeFamilies(next.result), PROMETHEUS_CONTENT_TYPE, gauge(2), next.round),
    await promClientRender(scrapeFamilies(next.result), PROMETHEUS_CONTENT_TYPE, gauge(2)),
  );
});

test('lines longer than a chunk, and multi-byte characters across chunk ends, are byte-identical to prom-client', async () => {
  const long: MetricFamily[] = [
    {
      name: 'mysql_long_label',
      help: 'A label longer than a chunk.',
      type: 'gauge',
      samples: [
        { labels: { v: 'é'.repeat(40_000) }, value: 1 },
        { labels: { v: `x${'ü"'.repeat(30_000)}` }, value: 2 },
      ],
    },
    {
      name: 'mysql_many',
      help: 'Many short lines.',
      type: 'counter',
      samples: Array.from({ length: 5000 }, (_, j) => ({ labels: { n: `€${j}` }, value: j })),
    },
  ];
  for (const ct of [PROMETHEUS_CONTENT_TYPE, OPENMETRICS_CONTENT_TYPE] as const) {
    const expected = await promClientRender(long, ct);
    const e = await renderExposition(long, ct);
    assert.ok(e.chunks.length > 3, 'written in several chunks');
    assert.equal(e.byteLength, Buffer.byteLength(expected));
    assert.equal(Buffer.concat(e.chunks).toString('utf8'), expected);
  }
});

test('gzip: the same bytes once decompressed; callers of one round share one compressed response', async () => {
  const { result, round } = sharedRound();
  const plain = await renderExposition(scrapeFamilies(result), PROMETHEUS_CONTENT_TYPE, [], undefined, round);
  const first = renderExposition(scrapeFamilies(result), PROMETHEUS_CONTENT_TYPE, [], 'gzip', round);
  const second = renderExposition(scrapeFamilies(result), PROMETHEUS_CONTENT_TYPE, [], 'gzip', round);
  assert.equal(first, second, 'one compression per round');
  const gz = await first;
  assert.equal(gz.byteLength, Buffer.concat(gz.chunks).length);
  assert.deepEqual(gunzipSync(Buffer.concat(gz.chunks)), Buffer.concat(plain.chunks));
  const unshared = await renderExposition(FAMILIES, OPENMETRICS_CONTENT_TYPE, [], 'gzip');
  assert.equal(
    gunzipSync(Buffer.concat(unshared.chunks)).toString('utf8'),
    await promClientRender(FAMILIES, OPENMETRICS_CONTENT_TYPE),
  );
});

test('a live metric named gzip does not turn a plain response of the round into the gzipped one', async () => {
  const { result, round } = sharedRound();
  const live = (...names: string[]) => {
    const reg = new Registry();
    for (const name of names) new Gauge({ name, help: 'x', registers: [reg] }).set(1);
    return reg.getMetricsAsArray() as unknown as Metric[];
  };
  await renderExposition(scrapeFamilies(result), PROMETHEUS_CONTENT_TYPE, live('a'), 'gzip', round);
  const plain = await renderExposition(
    scrapeFamilies(result),
    PROMETHEUS_CONTENT_TYPE,
    live('a', 'gzip'),
    undefined,
    round,
  );
  assert.equal(
    Buffer.concat(plain.chunks).toString('utf8'),
    await promClientRender(scrapeFamilies(result), PROMETHEUS_CONTENT_TYPE, live('a', 'gzip')),
  );
});
