/**
 * Storm and soak rows of the fault matrix (T22, T27/T28 figures, T42) plus the figures of
 * reliability.md c2, printed as one table. Every loop is bounded in count and time; loopback only.
 *
 *   npm run test:soak                      # defaults: about 4 minutes on 2 cores
 *   SOAK_SCRAPES=10000 SOAK_RATE=1 npm run test:soak   # the matrix's 10 000 scrapes at 1/s
 *
 * Knobs (environment): SOAK_SCRAPES (T42, default 3000), SOAK_RATE (T42 scrapes/s, default 50),
 * SOAK_CHURN (T28 scrapes, default 2500), STORM_SECONDS (T22 per endpoint, default 15),
 * STORM_CONCURRENCY (default 200). Exits 1 when an expectation fails.
 */
import { Agent, request } from 'node:http';

import { createRequire } from 'node:module';
import type { MariaDb } from '../helpers/mariadb.js';
import { freeze, sleep, startFaultDb, thaw } from '../helpers/fault/db.js';
import {
  type FaultExporter,
  openFds,
  queryFile,
  rssBytes,
  startExporter,
  writeCnf,
  writeQueries,
} from '../helpers/fault/exporter.js';
import { assertNoCanary, assertValidExposition } from '../helpers/fault/invariants.js';
import { AbortedRequest, type Listener, silentListener } from '../helpers/fault/net.js';
import { counterDelta, serverCounters, sessions, waitFor } from '../helpers/fault/server-state.js';
import { sampleValue } from '../helpers/exporter.js';

const env = (k: string, d: number) => {
  const v = Number(process.env[k]);
  return Number.isFinite(v) && v > 0 ? v : d;
};
const SCRAPES = env('SOAK_SCRAPES', 3000);
const RATE = env('SOAK_RATE', 50);
const CHURN = env('SOAK_CHURN', 2500);
const STORM_SECONDS = env('STORM_SECONDS', 15);
const CONCURRENCY = env('STORM_CONCURRENCY', 200);
const H = { 'X-Prometheus-Scrape-Timeout-Seconds': '5' };
const MiB = 2 ** 20;

const rows: Array<[string, string, string, string]> = [];
const failures: string[] = [];
const figure = (row: string, what: string, value: string, expect = '') => {
  rows.push([row, what, value, expect]);
  process.stderr.write(`# ${row} ${what}: ${value}\n`);
};
function check(ok: boolean, what: string): void {
  if (!ok) failures.push(what);
}
const pct = (v: readonly number[], p: number) => {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const ms = (v: number) => `${Math.round(v)} ms`;
const mib = (v: number) => `${(v / MiB).toFixed(1)} MiB`;

/** Least-squares slope of y over x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

async function latencies(exp: FaultExporter, path: string, n: number, headers = H): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await exp.get(path, { headers })).ms);
  return out;
}

/** Samples the exporter user's sessions every 100 ms until stopped; returns the peak. */
function sessionPeak(db: MariaDb, user = 'exporter') {
  let peak = 0;
  let on = true;
  const done = (async () => {
    while (on) {
      try {
        peak = Math.max(peak, (await sessions(db, user)).total);
      } catch {
        // down on purpose
      }
      await sleep(100);
    }
  })();
  return async () => {
    on = false;
    await done;
    return peak;
  };
}

/** T22: CONCURRENCY keep-alive clients hammering `path` for STORM_SECONDS. */
async function storm(url: string): Promise<{ statuses: Map<number, number>; lat: number[] }> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const statuses = new Map<number, number>();
  const lat: number[] = [];
  const until = Date.now() + STORM_SECONDS * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = request(url, { agent, headers: H }, (res) => {
        res.resume();
        res.on('end', () => {
          statuses.set(res.statusCode ?? 0, (statuses.get(res.statusCode ?? 0) ?? 0) + 1);
          lat.push(performance.now() - t0);
          resolve();
        });
      });
      req.setTimeout(15_000, () => req.destroy());
      req.on('error', () => {
        statuses.set(0, (statuses.get(0) ?? 0) + 1);
        resolve();
      });
      req.end();
    });
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < until) await one();
    }),
  );
  agent.destroy();
  return { statuses, lat };
}

async function main(): Promise<number> {
  const t0 = Date.now();
  const require = createRequire(import.meta.url);
  const versions = (p: string) => (require(`${p}/package.json`) as { version: string }).version;
  const db = await startFaultDb({ maxUserConnections: 3 });
  const silent: Listener = await silentListener();
  const exps: FaultExporter[] = [];
  try {
    const [ver] = await db.sql('SELECT @@version AS v');
    figure(
      'run',
      'server / mysql2 / prom-client / node',
      `MariaDB ${String(ver?.v)} / ${versions('mysql2')} / ${versions('prom-client')} / ${process.version}`,
    );
    const queries = writeQueries({
      'hang.yaml': queryFile('fault.hang', 'SELECT SLEEP(30) AS v', 'timeout: 2s'),
      'sleep5.yaml': queryFile('fault.sleep5', 'SELECT SLEEP(5) AS v'),
      'sleep3.yaml': queryFile('fault.sleep3', 'SELECT SLEEP(3) AS v'),
    });
    const exp = await startExporter(writeCnf(db), {
      child: true,
      args: [`--queries.dir=${queries}`, `--probe.allow=127.0.0.1:${db.port}`, '--log.level=info'],
    });
    exps.push(exp);
    const base = { rss: rssBytes(exp.pid), fds: openFds(exp.pid) };
    const q =
      '/metrics?collect[]=global_status&collect[]=global_variables&collect[]=slave_status&collect[]=info_schema.innodb_cmp&collect[]=info_schema.innodb_cmpmem&collect[]=info_schema.query_response_time';

    // Healthy latency.
    const healthy = await latencies(exp, q, 200);
    figure('healthy', 'scrape p50 / p99 (200 scrapes)', `${ms(pct(healthy, 50))} / ${ms(pct(healthy, 99))}`);

    // T01: closed port; T14: silent peer; T02: frozen server.
    const downPort = writeCnf(silent.port + 1 === db.port ? silent.port + 2 : silent.port + 1);
    const down = await startExporter(downPort, { child: true, args: ['--log.level=info'] });
    exps.push(down);
    const t01 = await latencies(down, '/metrics', 50);
    figure('T01', 'scrape p50 / p99, server down (50)', `${ms(pct(t01, 50))} / ${ms(pct(t01, 99))}`, '< 1 s');
    check(pct(t01, 99) < 1000, 'T01 p99 < 1 s');
    const sil = await startExporter(writeCnf(silent.port), { child: true, args: ['--log.level=info'] });
    exps.push(sil);
    const t14 = await latencies(sil, '/metrics', 5, { 'X-Prometheus-Scrape-Timeout-Seconds': '2' });
    figure(
      'T14',
      'scrape p50 / p99, silent peer, header 2 s (5)',
      `${ms(pct(t14, 50))} / ${ms(pct(t14, 99))}`,
      '<= 1.75 s + margin',
    );
    check(pct(t14, 99) < 2500, 'T14 p99 within the deadline');
    await freeze(db);
    let t02: number[] = [];
    try {
      t02 = await latencies(exp, q, 5, { 'X-Prometheus-Scrape-Timeout-Seconds': '2' });
    } finally {
      thaw(db);
    }
    figure(
      'T02',
      'scrape p50 / p99, frozen server, header 2 s (5)',
      `${ms(pct(t02, 50))} / ${ms(pct(t02, 99))}`,
      '<= 1.75 s + margin',
    );
    check(pct(t02, 99) < 2500, 'T02 p99 within the deadline');
    await waitFor('sessions settle after T02', 10_000, async () => (await sessions(db)).running === 0);

    // T16: time to cancel a hanging collector; peak sessions.
    const peak16 = sessionPeak(db);
    const cancel16: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await exp.get('/metrics?collect[]=global_status&collect[]=fault.hang', {
        headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '10' },
      });
      const tc = Date.now();
      await waitFor('T16 cancel', 5000, async () => (await sessions(db)).running === 0, 20);
      cancel16.push(r.ms - 2000 + (Date.now() - tc));
    }
    const p16 = await peak16();
    figure('T16', 'time to cancel after the 2 s budget, max of 5', ms(Math.max(...cancel16)), '<= 1 s');
    figure('T16', 'peak sessions', String(p16), '<= pool 2 (+1 KILL)');
    check(Math.max(...cancel16) <= 1000, 'T16 time to cancel');
    check(p16 <= 3, 'T16 peak sessions');

    // T18: client disconnects.
    const cancel18: number[] = [];
    for (let i = 0; i < 20; i++) {
      await exp
        .get('/metrics?collect[]=fault.sleep5', {
          headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '10' },
          abortAfterMs: 300,
        })
        .catch((e: unknown) => {
          if (!(e instanceof AbortedRequest)) throw e;
        });
      const tc = Date.now();
      await waitFor('T18 cancel', 5000, async () => (await sessions(db)).running === 0, 20);
      cancel18.push(Date.now() - tc);
    }
    figure(
      'T18',
      'time to cancel after disconnect, p50 / max of 20',
      `${ms(pct(cancel18, 50))} / ${ms(Math.max(...cancel18))}`,
      '<= 1 s',
    );
    check(Math.max(...cancel18) <= 1000, 'T18 time to cancel');

    // T21: two scrapers every second against a 3 s collector, 10 s.
    const peak21 = sessionPeak(db);
    const lat21: number[] = [];
    const st21 = new Map<number, number>();
    const pending: Promise<void>[] = [];
    for (let tick = 0; tick < 10; tick++) {
      for (let s = 0; s < 2; s++)
        pending.push(
          exp.get('/metrics?collect[]=fault.sleep3').then((r) => {
            lat21.push(r.ms);
            st21.set(r.status, (st21.get(r.status) ?? 0) + 1);
          }),
        );
      await sleep(1000);
    }
    await Promise.all(pending);
    const p21 = await peak21();
    figure(
      'T21',
      'peak sessions, p99 latency, statuses',
      `${p21}, ${ms(pct(lat21, 99))}, ${JSON.stringify(Object.fromEntries(st21))}`,
      'sessions <= 2',
    );
    check(p21 <= 2, 'T21 peak sessions');

    // T22: storms on /metrics and /probe.
    for (const [name, path] of [
      ['/metrics', q],
      ['/probe', `/probe?target=127.0.0.1:${db.port}`],
    ] as const) {
      const before = await serverCounters(db);
      const mark = exp.mark();
      const peak = sessionPeak(db);
      let rssPeak = rssBytes(exp.pid);
      let sampling = true;
      const rssLoop = (async () => {
        while (sampling) {
          rssPeak = Math.max(rssPeak, rssBytes(exp.pid));
          await sleep(200);
        }
      })();
      const s = await storm(exp.url + path);
      sampling = false;
      await rssLoop;
      const pk = await peak();
      const d = counterDelta(before, await serverCounters(db));
      const e1226 = exp
        .since(mark)
        .filter((l) => l.includes('errno 1226') || l.includes('ER_USER_LIMIT_REACHED')).length;
      figure(
        'T22',
        `${name} x${CONCURRENCY} for ${STORM_SECONDS} s: statuses`,
        JSON.stringify(Object.fromEntries(s.statuses)),
      );
      figure('T22', `${name} latency p50 / p99`, `${ms(pct(s.lat, 50))} / ${ms(pct(s.lat, 99))}`);
      figure(
        'T22',
        `${name} peak sessions / 1226 errors / Connections delta`,
        `${pk} / ${e1226} / ${d.Connections}`,
        '<= 3 / 0',
      );
      figure('T22', `${name} RSS peak`, mib(rssPeak), '< 512 MiB');
      check(pk <= 3, `T22 ${name} sessions`);
      check(e1226 === 0, `T22 ${name} no 1226`);
      check(rssPeak < 512 * MiB, `T22 ${name} RSS bounded (512 MiB)`);
    }
    const lag = await exp.get('/metrics?collect[]=global_status');
    figure(
      'T22',
      'event-loop lag p99 (after the storms)',
      ms((sampleValue(lag.body, 'nodejs_eventloop_lag_p99_seconds') ?? NaN) * 1000),
    );

    // T27: 1000 tables with the per-table collector on.
    await db.sql('CREATE DATABASE churn');
    for (let s = 0; s < 10; s++) {
      const stmts = [`CREATE DATABASE many${s}`];
      for (let t = 0; t < 100; t++) stmts.push(`CREATE TABLE many${s}.t${t} (id INT) ENGINE=Aria`);
      await db.sql(...stmts);
    }
    const tables = await startExporter(writeCnf(db), {
      child: true,
      args: ['--collect.info_schema.tables', '--collect.info_schema.tables.databases=*', '--log.level=info'],
    });
    exps.push(tables);
    const t27 = await tables.get('/metrics?collect[]=info_schema.tables', { headers: H });
    const series27 = t27.body.split('\n').filter((l) => /schema="many\d+"/.test(l)).length;
    figure(
      'T27',
      'series / scrape time / RSS, 1000 tables',
      `${series27} / ${ms(t27.ms)} / ${mib(rssBytes(tables.pid))}`,
    );
    await tables.stop();

    // T28: label churn, CHURN scrapes, one table created and one dropped per scrape.
    const churn = await startExporter(writeCnf(db), {
      child: true,
      args: [
        '--collect.info_schema.tables',
        '--collect.info_schema.tables.databases=churn',
        '--log.level=info',
      ],
    });
    exps.push(churn);
    const xs: number[] = [];
    const ys: number[] = [];
    let stale = 0;
    let series28 = 0;
    for (let i = 0; i < CHURN; i++) {
      await db.sql(
        `CREATE TABLE churn.t${i} (id INT) ENGINE=Aria`,
        ...(i > 0 ? [`DROP TABLE churn.t${i - 1}`] : []),
      );
      const r = await churn.get('/metrics?collect[]=info_schema.tables', { headers: H });
      const names = new Set([...r.body.matchAll(/schema="churn",table="(t\d+)"/g)].map((m) => m[1]));
      if (names.size !== 1 || !names.has(`t${i}`)) stale++;
      series28 = r.body.split('\n').filter((l) => l.includes('schema="churn"')).length;
      // V8's heap settles after about 1000 scrapes of this shape (measured: 80 -> 110 MiB, then flat).
      if (i % 50 === 0 && i >= CHURN * 0.4) {
        xs.push(i);
        ys.push(rssBytes(churn.pid));
      }
    }
    const slope28 = slope(xs, ys) * 1000;
    figure('T28', `stale scrapes / series per scrape, ${CHURN} scrapes`, `${stale} / ${series28}`, '0 stale');
    figure('T28', 'RSS slope per 1000 scrapes (after warm-up)', mib(slope28), '~0');
    check(stale === 0, 'T28 no stale series');
    check(slope28 < 16 * MiB, 'T28 RSS slope');

    // T42: SCRAPES default scrapes at RATE/s.
    const before42 = await serverCounters(db);
    const mark42 = exp.mark();
    const rx: number[] = [];
    const ry: number[] = [];
    const fx: number[] = [];
    const lat42: number[] = [];
    const interval = 1000 / RATE;
    const start42 = Date.now();
    let bad = 0;
    for (let i = 0; i < SCRAPES; i++) {
      const due = start42 + i * interval;
      if (due > Date.now()) await sleep(due - Date.now());
      const r = await exp.get(q, { headers: H });
      lat42.push(r.ms);
      if (r.status !== 200 || sampleValue(r.body, 'mysql_up') !== 1) bad++;
      if (i === 0) assertValidExposition(r.body, 'T42 first scrape');
      if (i % 100 === 0 && i >= SCRAPES / 5) {
        rx.push(i);
        ry.push(rssBytes(exp.pid));
        fx.push(openFds(exp.pid));
      }
      // Keep only what the canary scan needs.
      if (exp.bodies.length > 50) exp.bodies.splice(0, exp.bodies.length - 50);
    }
    const d42 = counterDelta(before42, await serverCounters(db));
    const errors42 = exp.since(mark42).filter((l) => l.includes('level=error')).length;
    const slope42 = slope(rx, ry) * 1000;
    figure(
      'T42',
      `${SCRAPES} scrapes at ${RATE}/s: failed / error log lines`,
      `${bad} / ${errors42}`,
      '0 / 0',
    );
    figure('T42', 'latency p50 / p99', `${ms(pct(lat42, 50))} / ${ms(pct(lat42, 99))}`);
    figure(
      'T42',
      'RSS start / end / slope per 1000 scrapes',
      `${mib(base.rss)} / ${mib(rssBytes(exp.pid))} / ${mib(slope42)}`,
      'slope ~0',
    );
    figure('T42', 'fds start / min / max', `${base.fds} / ${Math.min(...fx)} / ${Math.max(...fx)}`, 'flat');
    figure(
      'T42',
      'Connections per scrape',
      (d42.Connections / SCRAPES).toFixed(4),
      '0 (persistent pool; our probe adds 1)',
    );
    figure(
      'T42',
      'series per scrape',
      String(
        lat42.length ? (await exp.get(q)).body.split('\n').filter((l) => l && !l.startsWith('#')).length : 0,
      ),
    );
    check(bad === 0 && errors42 === 0, 'T42 no failed scrapes or error lines');
    check(slope42 < 16 * MiB, 'T42 RSS slope');
    check(Math.max(...fx) - Math.min(...fx) <= 8, 'T42 fds flat');

    const all = counterDelta(
      {
        Connections: 0,
        Aborted_connects: 0,
        Aborted_clients: 0,
        Threads_connected: 0,
        Max_used_connections: 0,
      },
      await serverCounters(db),
    );
    figure(
      'run',
      'Aborted_connects / Aborted_clients (whole run)',
      `${all.Aborted_connects} / ${all.Aborted_clients}`,
      'from T02 freeze, T16/T18 cancels only',
    );
    try {
      assertNoCanary(exps, [db]);
      figure('T40', 'canary hits (logs, bodies, ps, server log)', '0', '0');
    } catch (err) {
      figure('T40', 'canary hits', 'FAILED', '0');
      failures.push(`T40 canary: ${(err as Error).message}`);
    }
    figure('run', 'duration', `${Math.round((Date.now() - t0) / 1000)} s`);
  } finally {
    for (const e of exps) await e.stop().catch(() => 0);
    await silent.close();
    await db.destroy();
  }
  const w = [4, 52, 58, 30];
  const line = (c: readonly string[]) => `| ${c.map((x, i) => x.padEnd(w[i]!)).join(' | ')} |`;
  console.log(`\n${line(['row', 'figure', 'value', 'expected'])}`);
  console.log(`|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
  console.log(
    failures.length === 0 ? '\nsoak: all expectations met' : `\nsoak: FAILED: ${failures.join('; ')}`,
  );

  return failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
