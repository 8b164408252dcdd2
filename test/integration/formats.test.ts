/**
 * Exposition formats, validated by the real thing: a Debian `prometheus` (2.42, native histograms
 * enabled) scrapes our exporter on a throwaway MariaDB once per format, and what it stored (HTTP API)
 * is compared across the formats.
 *
 * Prometheus 2.42 cannot be told which format to ask for (its Accept header is fixed: protobuf first
 * with native histograms on). Each job therefore scrapes through a small relay in this test that
 * rewrites the Accept header for its format (the protobuf job's is passed as Prometheus sent it) and
 * passes everything else through untouched (gzip included); the relay also records what Prometheus
 * asked and what the exporter answered.
 *
 * The query_response_time histogram is frozen before the scrapes: after a workload of known latencies
 * the plugin's audit part (which counts queries, the exporter's own included) is uninstalled, while
 * its information_schema table stays readable. So every job must store exactly the same histogram:
 * classic buckets, _count and _sum from the text formats, a native histogram of the same count and
 * sum (and cumulative counts at the server's bounds) from protobuf.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { nativeBound, nativeIndex, pickSchema } from '../../src/collectors/native-buckets.js';
import {
  type TestExporter,
  cleanup,
  cnfFor,
  promtoolCheck,
  startExporter,
  writeMyCnf,
} from '../helpers/exporter.js';
import { type MariaDb, createExporterUser, freePort, startMariaDb } from '../helpers/mariadb.js';
import { MYSQL8_ANSWERS } from '../helpers/mysql8-captures.js';
import { startMysql8Replay } from '../helpers/mysql8-replay.js';
import { stopChild } from '../helpers/deploy-files.js';
import { removeTempDir, tempDir } from '../helpers/tmp.js';
import { poll } from '../helpers/poll.js';
import { golden, goldenHex } from '../helpers/golden.js';
import { decodeDelimited } from '../helpers/protobuf-decode.js';

const QRT = 'mysql_info_schema_query_response_time_seconds';
/** Prometheus 2.42's scrape Accept headers (scrape/scrape.go), without and with native histograms. */
const PROM_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const PROM_ACCEPT_PROTOBUF =
  'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

const JOBS = {
  text: 'text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
  openmetrics: PROM_ACCEPT,
  protobuf: undefined, // as Prometheus sent it
} as const;
type Job = keyof typeof JOBS;
const JOB_NAMES = Object.keys(JOBS) as Job[];
/** The hand-written golden expositions, served as they are to jobs `golden-<format>`. */
const GOLDEN: Record<Job, { readonly type: string; readonly body: () => Buffer }> = {
  text: { type: 'text/plain; version=0.0.4; charset=utf-8', body: () => golden('families.prom') },
  openmetrics: {
    type: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
    body: () => golden('families.om.txt'),
  },
  protobuf: {
    type: 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited',
    body: () => goldenHex('families.pb.hex'),
  },
};
const ALL_JOBS = [...JOB_NAMES, ...JOB_NAMES.map((j) => `golden-${j}`)];

const EXPECTED_TYPE: Record<Job, RegExp> = {
  text: /^text\/plain; version=0\.0\.4/,
  openmetrics: /^application\/openmetrics-text; version=1\.0\.0/,
  protobuf:
    /^application\/vnd\.google\.protobuf; proto=io\.prometheus\.client\.MetricFamily; encoding=delimited$/,
};

interface Seen {
  readonly accept: Set<string>;
  readonly contentType: Set<string>;
  readonly encoding: Set<string>;
  scrapes: number;
}

let db: MariaDb;
let exp: TestExporter;
let cnf: string | undefined;
let relay: Server;
let prom: ChildProcess | undefined;
let promBase = '';
const dir = tempDir('mysql-exporter-formats-');
const promLog = join(dir, 'prometheus.log');
const seen = new Map<Job, Seen>(
  JOB_NAMES.map((j) => [j, { accept: new Set(), contentType: new Set(), encoding: new Set(), scrapes: 0 }]),
);

const promLogTail = () => {
  try {
    return readFileSync(promLog, 'utf8').slice(-3000);
  } catch {
    return '';
  }
};

interface ApiResult {
  readonly metric: Record<string, string>;
  readonly value?: [number, string];
  readonly histogram?: [number, NativeJson];
}
interface NativeJson {
  readonly count: string;
  readonly sum: string;
  readonly buckets?: [number, string, string, string][];
}

async function api<T>(path: string, params: Record<string, string>): Promise<T> {
  const res = await fetch(`${promBase}${path}?${new URLSearchParams(params)}`);
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${path}: ${body.error}`);
  return body.data;
}

const instant = (query: string) => api<{ result: ApiResult[] }>('/api/v1/query', { query });

function startRelay(upstream: string): Promise<Server> {
  const target = new URL(upstream);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const g = /^\/golden\/(text|openmetrics|protobuf)$/.exec(req.url ?? '');
    if (g) {
      const { type, body } = GOLDEN[g[1] as Job];
      res.writeHead(200, { 'content-type': type }).end(body());
      return;
    }
    const m = /^\/(text|openmetrics|protobuf)(\/.*)$/.exec(req.url ?? '');
    const job = m?.[1] as Job | undefined;
    if (!m || !job) {
      res.writeHead(404).end();
      return;
    }
    const s = seen.get(job)!;
    s.accept.add(req.headers.accept ?? '');
    const headers = { ...req.headers, host: target.host };
    const forced = JOBS[job];
    if (forced !== undefined) headers.accept = forced;
    const up = request(
      { host: target.hostname, port: target.port, path: m[2], method: 'GET', headers },
      (r) => {
        s.scrapes++;
        s.contentType.add(String(r.headers['content-type']));
        s.encoding.add(String(r.headers['content-encoding'] ?? 'identity'));
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => res.writeHead(502).end());
    up.end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Label sets as comparable strings: without job/instance, `le`/`quantile` as numbers (see below). */
function seriesKey(m: Record<string, string>): string {
  const out: string[] = [];
  for (const k of Object.keys(m).sort()) {
    if (k === 'job' || k === 'instance') continue;
    // Prometheus 2.42's protobuf parser writes classic bucket bounds and quantiles in its own float
    // form (`1.0` where the text says `1`): the same number, a different label string.
    const v = k === 'le' || k === 'quantile' ? String(Number(m[k])) : m[k];
    out.push(`${k}=${v}`);
  }
  return out.join(',');
}

/** The exporter's own and scrape-timing series change from scrape to scrape; the server's do not. */
const STATIC = /^mysql_(up|version_info|global_variables_.*|info_schema_query_response_time_seconds.*)$/;

describe('Prometheus 2.42 ingests every format; what it stores agrees across formats', () => {
  before(
    async () => {
      db = await startMariaDb({
        args: ['--plugin-load-add=query_response_time', '--query-response-time-stats=ON'],
      });
      await createExporterUser(db, 'exporter', 'exporter-pw');
      // Latencies across several buckets (1e-6 ... 1 s), then the audit part out: frozen.
      for (let i = 0; i < 20; i++) await db.sql('SELECT 1');
      for (const s of [0.002, 0.002, 0.02, 0.05, 0.2, 1.1]) await db.sql(`SELECT SLEEP(${s})`);
      await db.sql('UNINSTALL PLUGIN QUERY_RESPONSE_TIME_AUDIT');

      cnf = writeMyCnf(cnfFor(db.port, 'exporter', 'exporter-pw'));
      exp = await startExporter(cnf, ['--exporter.native_histograms', `--probe.allow=127.0.0.1:${db.port}`]);
      relay = await startRelay(exp.url);
      const relayAddr = `127.0.0.1:${(relay.address() as AddressInfo).port}`;

      const port = await freePort();
      promBase = `http://127.0.0.1:${port}`;
      const cfg = [
        'global:',
        '  scrape_interval: 2s',
        '  scrape_timeout: 2s',
        'scrape_configs:',
        ...ALL_JOBS.flatMap((j) => [
          `  - job_name: ${j}`,
          `    metrics_path: /${j.replace(/^golden-/, 'golden/')}${j.startsWith('golden-') ? '' : '/metrics'}`,
          '    static_configs:',
          `      - targets: [${JSON.stringify(relayAddr)}]`,
        ]),
        '',
      ].join('\n');
      writeFileSync(join(dir, 'prometheus.yml'), cfg);
      const logFd = openSync(promLog, 'a');
      prom = spawn(
        'prometheus',
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--enable-feature=native-histograms',
          '--log.level=warn',
        ],
        { cwd: dir, stdio: ['ignore', logFd, logFd] },
      );
      const p = prom;
      p.once('error', () => {});
      await poll(`Prometheus did not become ready:\n${promLogTail()}`, 30_000, async () => {
        if (p.exitCode !== null) throw new Error(`prometheus exited: ${promLogTail()}`);
        return (await fetch(`${promBase}/-/ready`)).ok ? true : undefined;
      });
      // Three successful scrapes of every job.
      await poll(`not every job scraped 3 times:\n${promLogTail()}`, 60_000, async () => {
        const r = await instant('sum by (job) (sum_over_time(up[5m]))');
        const ok = r.result.filter((x) => Number(x.value?.[1]) >= 3).map((x) => x.metric.job);
        return ALL_JOBS.every((j) => ok.includes(j)) ? true : undefined;
      });
    },
    { timeout: 180_000 },
  );

  after(async () => {
    await stopChild(prom);
    await new Promise<void>((r) => (relay ? relay.close(() => r()) : r()));
    await exp?.stop();
    if (cnf) cleanup(dirname(cnf));
    await db?.destroy();
    removeTempDir(dir);
  });

  test('Prometheus asked for protobuf first; each job got its format, gzipped', () => {
    for (const j of JOB_NAMES) {
      const s = seen.get(j)!;
      assert.deepEqual([...s.accept], [PROM_ACCEPT_PROTOBUF], `${j}: Prometheus's Accept header`);
      assert.equal(s.contentType.size, 1, `${j}: ${[...s.contentType]}`);
      assert.match([...s.contentType][0]!, EXPECTED_TYPE[j]);
      assert.deepEqual([...s.encoding], ['gzip'], j);
    }
  });

  test('every scrape of every job succeeded, with no sample dropped or out of order', async () => {
    assert.doesNotMatch(promLogTail(), /level=(warn|error)/, promLogTail());
    const r = await instant('min by (job) (min_over_time(up[5m]))');
    assert.deepEqual(
      r.result.map((x) => [x.metric.job, x.value?.[1]]).sort(),
      ALL_JOBS.map((j) => [j, '1']).sort(),
    );
  });

  test('the same series in every format (protobuf: the histogram native instead of classic)', async () => {
    const names = new Map<Job, Set<string>>();
    for (const j of JOB_NAMES) {
      const series = await api<Record<string, string>[]>('/api/v1/series', {
        'match[]': `{job="${j}"}`,
        // The latest scrapes only: a series may be missing from a first scrape (prom-client's event
        // loop gauges are NaN, hence left out, until their first measurement).
        start: String(Date.now() / 1000 - 4.5),
      });
      const all = series.map((m) => m.__name__ ?? '');
      // The exporter's own runtime metrics come and go between scrapes (prom-client's event loop
      // gauges are left out while NaN; handle and resource counts follow the moment): present, but
      // compared by the unit tests, not here.
      for (const n of ['process_cpu_user_seconds_total', 'nodejs_heap_size_total_bytes'])
        assert.ok(all.includes(n), `${j}: ${n}`);
      names.set(j, new Set(all.filter((n) => !/^(nodejs|process)_/.test(n))));
    }
    const text = names.get('text')!;
    assert.ok(text.has(`${QRT}_bucket`) && text.has(`${QRT}_count`) && text.has('mysql_up'));
    assert.ok(
      [...text].some((n) => n.endsWith('_total')),
      'some counters',
    );
    assert.deepEqual([...names.get('openmetrics')!].sort(), [...text].sort(), 'OpenMetrics: no name changes');
    const classic = new Set([`${QRT}_bucket`, `${QRT}_count`, `${QRT}_sum`]);
    const expectedProtobuf = [...text]
      .filter((n) => !classic.has(n))
      .concat(QRT)
      .sort();
    assert.deepEqual([...names.get('protobuf')!].sort(), expectedProtobuf);
  });

  test('the server-side series hold the same values in every format', async () => {
    const values = new Map<Job, Map<string, string>>();
    for (const j of JOB_NAMES) {
      const r = await instant(`{job="${j}",__name__=~"${STATIC.source.slice(1, -1)}"}`);
      const m = new Map<string, string>();
      for (const x of r.result) if (x.value) m.set(seriesKey(x.metric), x.value[1]);
      values.set(j, m);
    }
    const text = values.get('text')!;
    assert.ok(text.size > 100, `${text.size} static series`);
    assert.deepEqual(Object.fromEntries(values.get('openmetrics')!), Object.fromEntries(text));
    const classic = (k: string) => k.startsWith(`__name__=${QRT}_`);
    const withoutClassic = Object.fromEntries([...text].filter(([k]) => !classic(k)));
    const protobuf = Object.fromEntries(
      [...values.get('protobuf')!].filter(([k]) => k !== `__name__=${QRT}`),
    );
    assert.deepEqual(protobuf, withoutClassic);
  });

  test('the native histogram: count, sum and the cumulative count at every server bound', async () => {
    const classic = await instant(`{job="text",__name__=~"${QRT}_(bucket|count|sum)"}`);
    const byName = (n: string) => classic.result.filter((x) => x.metric.__name__ === n);
    const count = Number(byName(`${QRT}_count`)[0]?.value?.[1]);
    const sum = Number(byName(`${QRT}_sum`)[0]?.value?.[1]);
    assert.ok(count >= 26, `count ${count}`);
    const native = await instant(`${QRT}{job="protobuf"}`);
    const h = native.result[0]?.histogram?.[1];
    assert.ok(h, JSON.stringify(native));
    assert.equal(Number(h.count), count);
    assert.equal(Number(h.sum), sum);
    // PromQL on the native histogram agrees too.
    const fn = await instant(
      `histogram_count(${QRT}{job="protobuf"}) - ignoring(job) ${QRT}_count{job="text"}`,
    );
    assert.equal(fn.result[0]?.value?.[1], '0');

    const buckets = byName(`${QRT}_bucket`)
      .map((x) => ({ le: Number(x.metric.le), cumulative: Number(x.value?.[1]) }))
      .sort((a, b) => a.le - b.le);
    const bounds = buckets.filter((b) => Number.isFinite(b.le)).map((b) => b.le);
    const schema = pickSchema(bounds);
    assert.equal(schema, -1, 'range_base 10 maps to schema -1');
    for (const b of buckets) {
      // Observations at or below the native boundary that closes the bucket holding this bound.
      const edge: number = Number.isFinite(b.le) ? nativeBound(schema, nativeIndex(schema, b.le)) : Infinity;
      let below = 0;
      for (const [, , upper, n] of h.buckets ?? [])
        if (Number(upper) <= edge * (1 + 1e-12)) below += Number(n);
      assert.equal(below, b.cumulative, `le=${b.le} (native edge ${edge})`);
    }
  });

  test('promtool check metrics passes on the classic text; OpenMetrics and protobuf parse cleanly', async () => {
    const get = async (accept: string) => {
      const res = await fetch(`${exp.url}/metrics`, { headers: { accept, 'accept-encoding': 'gzip' } });
      return { type: res.headers.get('content-type') ?? '', body: Buffer.from(await res.arrayBuffer()) };
    };
    const text = await get('text/plain;version=0.0.4');
    const check = promtoolCheck(text.body.toString('utf8'));
    assert.equal(check.errors, '');
    const om = await get(PROM_ACCEPT);
    assert.match(om.type, /openmetrics/);
    assert.ok(om.body.toString('utf8').endsWith('\n# EOF\n'));
    const pb = await get(PROM_ACCEPT_PROTOBUF);
    const families = decodeDelimited(pb.body);
    const qrt = families.find((f) => f.name === QRT) as
      | { metric: { histogram: { schema: number; zeroThreshold: number } }[] }
      | undefined;
    assert.equal(qrt?.metric[0]?.histogram.schema, -1);
    assert.equal(qrt?.metric[0]?.histogram.zeroThreshold, 1e-6);
  });

  test('/probe negotiates the same way, gzipped or not', async () => {
    const probe = `/probe?target=127.0.0.1:${db.port}`;
    const cases: Array<[string | undefined, RegExp]> = [
      [undefined, EXPECTED_TYPE.text],
      ['text/html,*/*;q=0.8', EXPECTED_TYPE.text],
      [PROM_ACCEPT, EXPECTED_TYPE.openmetrics],
      [PROM_ACCEPT_PROTOBUF, EXPECTED_TYPE.protobuf],
    ];
    for (const [accept, type] of cases) {
      for (const gzip of [false, true]) {
        const headers: Record<string, string> = { 'accept-encoding': gzip ? 'gzip' : 'identity' };
        if (accept !== undefined) headers.accept = accept;
        const res = await fetch(`${exp.url}${probe}`, { headers });
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-type') ?? '', type, String(accept));
        assert.equal(res.headers.get('content-encoding') ?? 'identity', gzip ? 'gzip' : 'identity');
        assert.match(res.headers.get('vary') ?? '', /Accept, Accept-Encoding/);
        const body = Buffer.from(await res.arrayBuffer());
        if (type === EXPECTED_TYPE.protobuf) {
          const names = decodeDelimited(body).map((f) => f.name);
          assert.ok(names.includes('mysql_up') && names.includes(QRT), names.join());
          assert.ok(!names.includes('process_cpu_seconds_total'), 'no process metrics on /probe');
        } else {
          const text = body.toString('utf8');
          assert.match(text, /^mysql_up 1$/m);
          assert.equal(text.endsWith('# EOF\n'), type === EXPECTED_TYPE.openmetrics);
        }
      }
    }
  });

  test('the golden files: Prometheus stores the same from the classic text and OpenMetrics, and the protobuf one as meant', async () => {
    const stored = async (job: string) => {
      const r = await instant(`{job="${job}",__name__!~"up|scrape_.*"}`);
      return Object.fromEntries(
        r.result.map((x) => [seriesKey(x.metric), x.value?.[1] ?? JSON.stringify(x.histogram?.[1])]),
      );
    };
    const text = await stored('golden-text');
    assert.equal(Object.keys(text).length, 18);
    assert.equal(text['__name__=demo_connections,host=ü,state=a"b\\c\nd'], '12');
    assert.equal(text['__name__=demo_values_bytes,k=ninf'], '-Inf');
    assert.deepEqual(await stored('golden-openmetrics'), text);
    const pb = await stored('golden-protobuf');
    assert.deepEqual(Object.keys(pb).sort(), [
      '__name__=a_total,k=v',
      '__name__=g',
      '__name__=h_seconds',
      '__name__=s,quantile=0.5',
      '__name__=s_count',
      '__name__=s_sum',
      '__name__=u',
    ]);
    const h = (await instant('h_seconds{job="golden-protobuf"}')).result[0]?.histogram?.[1];
    assert.equal(h?.count, '6');
    assert.equal(h?.sum, '3.25');
    // Zero bucket [-0.1, 0.1]: 2; (0.5, 1]: 3; (4, 8]: 1.
    assert.deepEqual(
      (h?.buckets ?? []).map(([, lo, hi, n]) => [Number(lo), Number(hi), Number(n)]),
      [
        [-0.1, 0.1, 2],
        [0.5, 1, 3],
        [4, 8, 1],
      ],
    );
  });
});

describe('MySQL 8 statement histogram, end to end through the MySQL 8.4 replay server', () => {
  test('classic in the text; native (schema 4) in protobuf with --exporter.native_histograms', async () => {
    const r = await startMysql8Replay({
      version: '8.4.3',
      accounts: [{ user: 'exporter', password: 'pw', plugin: 'caching_sha2_password' }],
      answers: MYSQL8_ANSWERS,
      warmCache: true,
    });
    const cnf = writeMyCnf(`[client]\nhost = 127.0.0.1\nport = ${r.port}\nuser = exporter\npassword = pw\n`);
    const e = await startExporter(cnf, [
      '--collect.perf_schema.events_statements_histogram',
      '--exporter.native_histograms',
    ]);
    try {
      const name = 'mysql_perf_schema_events_statements_latency_seconds';
      const text = await e.get('/metrics');
      assert.match(text.body, new RegExp(`^${name}_bucket\\{le="1e-05"\\} 12$`, 'm'));
      assert.match(text.body, new RegExp(`^${name}_count 48$`, 'm'));
      assert.match(text.body, new RegExp(`^${name}_sum 0.5$`, 'm'));
      const res = await fetch(`${e.url}/metrics`, { headers: { accept: PROM_ACCEPT_PROTOBUF } });
      const f = decodeDelimited(Buffer.from(await res.arrayBuffer())).find((x) => x.name === name) as
        | { metric: { histogram: Record<string, unknown> }[] }
        | undefined;
      const h = f?.metric[0]?.histogram;
      assert.equal(h?.sampleCount, 48);
      assert.equal(h?.sampleSum, 0.5);
      assert.equal(h?.schema, 4);
      assert.equal(h?.zeroThreshold, 1e-5);
      assert.equal(h?.zeroCount, 12);
      // Buckets 42 and 200 and the open one: three spans of one bucket, deltas 30, -25, -4.
      assert.equal((h?.positiveSpan as unknown[] | undefined)?.length, 3);
      assert.deepEqual(h?.positiveDelta, [30, -25, -4]);
    } finally {
      await e.stop();
      await r.close();
      cleanup(dirname(cnf));
    }
  });
});
