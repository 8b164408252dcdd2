/**
 * Fleet: one exporter process serving N targets through /probe, as Prometheus scrapes them: each
 * target once per BENCH_FLEET_INTERVAL (15) s at its own fixed offset in the interval (spread
 * uniformly, as Prometheus spreads targets by a hash), for BENCH_FLEET_ROUNDS (4) intervals. Targets
 * are distinct ports of the delaying proxy (bench/lib/delay-proxy.ts, BENCH_FLEET_RTT ms, 0 by
 * default) in front of one MariaDB, or with BENCH_FLEET_DB=canned distinct ports of the canned
 * database (bench/lib/canned-db.ts): one default scrape of our exporter against the bench MariaDB is
 * recorded through a relay (BENCH_FLEET_RECORD_SCRAPES, 2, probes by a fresh exporter with the same
 * arguments), MariaDB is stopped, and every canned port replays the recorded bytes, so the database
 * costs almost nothing (values are frozen; no RTT emulation: BENCH_FLEET_RTT must be 0). For each N in BENCH_FLEET_TARGETS (100,1000,3000), a fresh
 * exporter; the first interval (cold start: every target connects) is reported apart from the
 * steady intervals after it.
 *
 * Reported: failed scrapes (HTTP error, timeout, mysql_up 0 or a failed collector), latency p50/p99,
 * exporter CPU per scrape, RSS (end and peak), database sessions of the exporter's account (SHOW
 * PROCESSLIST every 2 s; canned: connections open to the canned database), connections the proxy
 * (canned: the canned database) accepted and client flights per scrape, and the CPU of the server
 * side (the proxy's, MariaDB's own not counted; canned: the canned database's, the whole database
 * side) and of this scraping process, so that the exporter's share is clear.
 *
 *   BENCH_FLEET_TARGETS=100 BENCH_FLEET_ROUNDS=2 node --import tsx bench/fleet.ts   (quick)
 *   BENCH_FLEET_DB=canned BENCH_FLEET_TARGETS=3000 node --import tsx bench/fleet.ts   (the exporter alone)
 */
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { createGunzip } from 'node:zlib';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import type mysql from 'mysql2/promise';
import { USERS, createUsers, removeTempDirs, startBenchDb } from './lib/db.js';
import { log } from './lib/log.js';
import { runIfMain } from './lib/standalone.js';
import { benchCpuMs } from './lib/measure.js';
import { ExporterProcess, buildOurs, writeCnf } from './lib/proc.js';
import { type FleetTargets, cannedTargets, proxyTargets, recordFleetScrape } from './lib/fleet-targets.js';
import type { Recording } from './lib/canned-db.js';
import { loads } from './lib/report.js';
import { percentile } from './lib/stats.js';
import { PROMETHEUS_ACCEPT } from './lib/http.js';

const env = process.env;
const COUNTS = (env.BENCH_FLEET_TARGETS ?? '100,1000,3000').split(',').map(Number);
const INTERVAL_MS = Number(env.BENCH_FLEET_INTERVAL ?? 15) * 1000;
const ROUNDS = Math.max(2, Number(env.BENCH_FLEET_ROUNDS ?? 4));
const RTT_MS = Number(env.BENCH_FLEET_RTT ?? 0);
/** `mariadb` (proxy ports in front of the bench MariaDB) or `canned` (the canned database's ports). */
const DB_MODE = env.BENCH_FLEET_DB ?? 'mariadb';
const RECORD_SCRAPES = Math.max(1, Number(env.BENCH_FLEET_RECORD_SCRAPES ?? 2));
const TIMEOUT_S = Number(env.BENCH_FLEET_TIMEOUT ?? 10);
const EXTRA_ARGS = (env.BENCH_FLEET_ARGS ?? '').split(/\s+/).filter(Boolean);
/** Prometheus asks for gzip; BENCH_FLEET_GZIP=0 asks for plain text. */
const GZIP = env.BENCH_FLEET_GZIP !== '0';
/** Prometheus' own Accept header (OpenMetrics first) unless BENCH_ACCEPT says otherwise. */
const ACCEPT = env.BENCH_ACCEPT ?? PROMETHEUS_ACCEPT;
const OUT = resolve(env.BENCH_FLEET_OUT ?? join(import.meta.dirname, 'results', 'fleet.json'));

interface Phase {
  scrapes: number;
  failed: number;
  timeouts: number;
  ms: number[];
}

export interface FleetRow {
  readonly targets: number;
  readonly cold: Omit<Phase, 'ms'> & { p50: number; p99: number; connections: number };
  readonly steady: Omit<Phase, 'ms'> & {
    p50: number;
    p99: number;
    cpuMsPerScrape: number;
    /** The proxy's CPU (mariadb) or the canned database's (canned). */
    serverCpuMsPerScrape: number;
    benchCpuMsPerScrape: number;
    connections: number;
    flightsPerScrape: number;
    exporterCpuShare: number;
  };
  readonly rssMiB: number;
  readonly peakRssMiB: number;
  readonly sessionsPeak: number;
  readonly sessionsEnd: number;
  readonly load: string;
  /** Statements the canned database could not answer. */
  readonly problems?: string;
}

/** A uniform, deterministic offset in [0, 1) per target (Prometheus hashes the target's labels). */
function offset(i: number): number {
  let x = (i + 1) * 0x9e3779b1;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  return (x >>> 0) / 2 ** 32;
}

function scrape(agent: http.Agent, url: string): Promise<{ ok: boolean; timeout: boolean; ms: number }> {
  const start = performance.now();
  return new Promise((done) => {
    let tail = '';
    let up = false;
    let collectorFailed = false;
    const req = http.get(
      url,
      {
        agent,
        headers: {
          'x-prometheus-scrape-timeout-seconds': String(TIMEOUT_S),
          accept: ACCEPT,
          ...(GZIP ? { 'accept-encoding': 'gzip' } : {}),
        },
        timeout: TIMEOUT_S * 1000 + 2000,
      },
      (res) => {
        const body = res.headers['content-encoding'] === 'gzip' ? res.pipe(createGunzip()) : res;
        body.setEncoding('latin1');
        body.on('data', (c: string) => {
          const s = tail + c;
          if (!up && /(^|\n)mysql_up 1\n/.test(s)) up = true;
          if (/_collector_success\{[^}\n]*\} 0\n/.test(s)) collectorFailed = true;
          tail = s.slice(-200);
        });
        body.on('end', () =>
          done({
            ok: res.statusCode === 200 && up && !collectorFailed,
            timeout: false,
            ms: performance.now() - start,
          }),
        );
        body.on('error', () => done({ ok: false, timeout: false, ms: performance.now() - start }));
      },
    );
    // The whole request, as Prometheus' scrape timeout (the socket timeout only covers idleness).
    const timer = setTimeout(() => {
      req.destroy();
      done({ ok: false, timeout: true, ms: performance.now() - start });
    }, TIMEOUT_S * 1000);
    req.on('close', () => clearTimeout(timer));
    req.on('timeout', () => {
      req.destroy();
      done({ ok: false, timeout: true, ms: performance.now() - start });
    });
    req.on('error', () => done({ ok: false, timeout: false, ms: performance.now() - start }));
  });
}

async function runFleet(n: number, entry: string, targets: () => Promise<FleetTargets>): Promise<FleetRow> {
  const load0 = loadavg();
  const proxy = await targets();
  const cnf = writeCnf(proxy.cnfPort, USERS.ours.user, USERS.ours.password);
  const exp = await ExporterProcess.start('ours', entry, cnf, ['--probe.allow=127.0.0.1/32', ...EXTRA_ARGS]);
  // One keep-alive connection per target at most, as Prometheus: no queue in this client.
  const agent = new http.Agent({ keepAlive: true, maxSockets: n, maxFreeSockets: n });
  const phases: Phase[] = Array.from({ length: ROUNDS }, () => ({
    scrapes: 0,
    failed: 0,
    timeouts: 0,
    ms: [],
  }));
  let sessionsPeak = 0;
  let peakRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, exp.memory().rssMiB);
    proxy.sessions().then(
      (s) => {
        sessionsPeak = Math.max(sessionsPeak, s);
      },
      () => {},
    );
  }, 2000);
  const ports = proxy.ports;
  const t0 = performance.now() + 200;
  let steadyAt: { cpu: number; proxyCpu: number; bench: number; conns: number; flights: number } | undefined;
  let coldConns = 0;
  const pending: Array<Promise<void>> = [];
  try {
    // One timer per round and target, set just ahead of time (bounded: ROUNDS x n scrapes).
    for (let round = 0; round < ROUNDS; round++) {
      const roundStart = t0 + round * INTERVAL_MS;
      const wait = roundStart - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (round === 1) {
        const tot = await proxy.counts();
        coldConns = tot.connections;
        steadyAt = {
          cpu: exp.cpuMs(),
          proxyCpu: proxy.cpuMs(),
          bench: benchCpuMs(),
          conns: tot.connections,
          flights: tot.flights,
        };
      }
      const phase = phases[round]!;
      for (let i = 0; i < n; i++) {
        const at = roundStart + offset(i) * INTERVAL_MS;
        const url = `${exp.url}/probe?target=127.0.0.1:${ports[i]}`;
        pending.push(
          new Promise<void>((r) => setTimeout(r, Math.max(0, at - performance.now()))).then(async () => {
            const res = await scrape(agent, url);
            phase.scrapes++;
            phase.ms.push(res.ms);
            if (!res.ok) phase.failed++;
            if (res.timeout) phase.timeouts++;
          }),
        );
      }
      log(`  ${n} targets: interval ${round + 1}/${ROUNDS} scheduled`);
    }
    await Promise.all(pending);
  } finally {
    clearInterval(sampler);
  }
  const cpuEnd = exp.cpuMs();
  const proxyEnd = proxy.cpuMs();
  const benchEnd = benchCpuMs();
  const counts = await proxy.counts();
  const tot = { c: counts.connections, f: counts.flights };
  const sessionsEnd = await proxy.sessions();
  const problems = await proxy.problems();
  const mem = exp.memory();
  agent.destroy();
  await exp.stop();
  await proxy.close();
  const steady: Phase = { scrapes: 0, failed: 0, timeouts: 0, ms: [] };
  for (const p of phases.slice(1)) {
    steady.scrapes += p.scrapes;
    steady.failed += p.failed;
    steady.timeouts += p.timeouts;
    steady.ms.push(...p.ms);
  }
  const cold = phases[0]!;
  const s0 = steadyAt!;
  const per = (x: number) => x / Math.max(1, steady.scrapes);
  const expCpu = cpuEnd - s0.cpu;
  const allCpu = expCpu + (proxyEnd - s0.proxyCpu) + (benchEnd - s0.bench);
  return {
    targets: n,
    cold: {
      scrapes: cold.scrapes,
      failed: cold.failed,
      timeouts: cold.timeouts,
      p50: percentile(cold.ms, 50),
      p99: percentile(cold.ms, 99),
      connections: coldConns,
    },
    steady: {
      scrapes: steady.scrapes,
      failed: steady.failed,
      timeouts: steady.timeouts,
      p50: percentile(steady.ms, 50),
      p99: percentile(steady.ms, 99),
      cpuMsPerScrape: per(expCpu),
      serverCpuMsPerScrape: per(proxyEnd - s0.proxyCpu),
      benchCpuMsPerScrape: per(benchEnd - s0.bench),
      connections: tot.c - s0.conns,
      flightsPerScrape: per(tot.f - s0.flights),
      exporterCpuShare: allCpu > 0 ? expCpu / allCpu : 0,
    },
    rssMiB: mem.rssMiB,
    peakRssMiB: Math.max(peakRss, mem.hwmMiB),
    sessionsPeak,
    sessionsEnd,
    load: `${loads(load0)} -> ${loads(loadavg())}`,
    ...(problems ? { problems } : {}),
  };
}

export async function fleetScenario(): Promise<string> {
  if (DB_MODE !== 'mariadb' && DB_MODE !== 'canned')
    throw new Error(`BENCH_FLEET_DB must be mariadb or canned, not ${DB_MODE}`);
  if (DB_MODE === 'canned' && RTT_MS !== 0)
    throw new Error('BENCH_FLEET_DB=canned emulates no round trip: leave BENCH_FLEET_RTT at 0');
  const entry = buildOurs();
  const max = Math.max(...COUNTS);
  log(`starting MariaDB for up to ${max} targets`);
  const db = await startBenchDb({
    tables: 0,
    probeTargets: 0,
    args: [
      `--max-connections=${max * 2 + 200}`,
      `--open-files-limit=${max * 3 + 4000}`,
      '--thread-handling=pool-of-threads',
    ],
  });
  process.on('exit', () => db.signal('SIGKILL'));
  const rows: FleetRow[] = [];
  let admin: mysql.Connection | undefined;
  let canned: { recording: Recording; statements: string[] } | undefined;
  try {
    await createUsers(db);
    if (DB_MODE === 'canned') {
      log(`recording ${RECORD_SCRAPES} scrapes of our exporter against MariaDB for the canned database`);
      canned = await recordFleetScrape({
        entry,
        dbPort: db.port,
        user: USERS.ours.user,
        password: USERS.ours.password,
        args: ['--probe.allow=127.0.0.1/32', ...EXTRA_ARGS],
        scrapes: RECORD_SCRAPES,
        timeoutS: TIMEOUT_S,
      });
      const bytes = [...canned.recording.answers.values()].reduce((a, b) => a + b.length, 0);
      log(`recorded ${canned.statements.length} statements, ${bytes} answer bytes; stopping MariaDB`);
      // Nothing of MariaDB runs during the measurement.
      await db.destroy();
    } else admin = await db.connect();
    for (const n of COUNTS) {
      log(
        `fleet: ${n} targets (${DB_MODE}), ${ROUNDS} intervals of ${INTERVAL_MS / 1000} s, RTT ${RTT_MS} ms`,
      );
      const rec = canned?.recording;
      const a = admin;
      const targets = rec
        ? () => cannedTargets(n, rec)
        : () => proxyTargets(n, db.port, RTT_MS / 2, a!, USERS.ours.user);
      const row = await runFleet(n, entry, targets);
      if (row.problems) log(`canned database: ${row.problems}`);
      rows.push(row);
    }
  } finally {
    await admin?.end().catch(() => {});
    await db.destroy();
    removeTempDirs();
  }
  const lines = [
    `# fleet: /probe of N targets (${DB_MODE === 'canned' ? 'distinct canned database ports, no RTT' : `distinct proxy ports, RTT ${RTT_MS} ms`}, ${GZIP ? 'gzip' : 'no gzip'}, Accept ${ACCEPT.split(/[;,]/)[0]}${EXTRA_ARGS.length ? `, ${EXTRA_ARGS.join(' ')}` : ''}${env.BENCH_NODE_ARGS ? `, node ${env.BENCH_NODE_ARGS}` : ''}) each every ${INTERVAL_MS / 1000} s, ${ROUNDS} intervals (the first is the cold start); ${cpus().length} CPUs; database: ${DB_MODE === 'canned' ? `canned (${canned?.statements.length ?? 0} recorded statements of MariaDB; server CPU is the canned database's)` : "MariaDB, thread pool (server CPU is the proxy's, MariaDB's own not counted)"}`,
    'targets  phase   scrapes  failed  timeouts  p50 ms   p99 ms  CPU ms/scrape server CPU  bench CPU  exporter share  conns  flights/scrape  RSS MiB  peak RSS  sessions peak/end  load avg',
  ];
  for (const r of rows) {
    lines.push(
      `${String(r.targets).padStart(7)}  cold    ${String(r.cold.scrapes).padStart(7)} ${String(r.cold.failed).padStart(7)} ${String(r.cold.timeouts).padStart(9)} ${r.cold.p50.toFixed(1).padStart(7)} ${r.cold.p99.toFixed(1).padStart(8)} ${''.padStart(14)} ${''.padStart(10)} ${''.padStart(10)} ${''.padStart(15)} ${String(r.cold.connections).padStart(6)}`,
    );
    lines.push(
      `${String(r.targets).padStart(7)}  steady  ${String(r.steady.scrapes).padStart(7)} ${String(r.steady.failed).padStart(7)} ${String(r.steady.timeouts).padStart(9)} ${r.steady.p50.toFixed(1).padStart(7)} ${r.steady.p99.toFixed(1).padStart(8)} ${r.steady.cpuMsPerScrape.toFixed(2).padStart(14)} ${r.steady.serverCpuMsPerScrape.toFixed(2).padStart(10)} ${r.steady.benchCpuMsPerScrape.toFixed(2).padStart(10)} ${`${(100 * r.steady.exporterCpuShare).toFixed(0)} %`.padStart(15)} ${String(r.steady.connections).padStart(6)} ${r.steady.flightsPerScrape.toFixed(2).padStart(15)} ${r.rssMiB.toFixed(0).padStart(8)} ${r.peakRssMiB.toFixed(0).padStart(9)} ${`${r.sessionsPeak}/${r.sessionsEnd}`.padStart(18)}  ${r.load}`,
    );
  }
  for (const r of rows.filter((x) => x.targets >= 3000)) {
    const ok = r.cold.failed + r.steady.failed === 0 && r.steady.p99 < 1000 && r.peakRssMiB < 512;
    lines.push(
      `${ok ? 'MET ' : 'MISS'}  fleet ${r.targets}: 0 failed (${r.cold.failed + r.steady.failed}), p99 < 1000 ms (${r.steady.p99.toFixed(0)}), peak RSS < 512 MiB (${r.peakRssMiB.toFixed(0)})`,
    );
  }
  const text = lines.join('\n');
  writeFileSync(OUT, JSON.stringify({ rows, text }, null, 2));
  writeFileSync(OUT.replace(/\.json$/, '.txt'), `${text}\n`);
  log(`results written to ${OUT}`);
  return text;
}

runIfMain(import.meta.filename, fleetScenario);
