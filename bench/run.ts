/**
 * `npm run bench`: our exporter side by side with the Debian prometheus-mysqld-exporter (when on
 * PATH) and against the physical floor, on one throwaway MariaDB with fixture schemas and a
 * background write load. Scenarios, figures and settings: bench/README.md. Progress goes to stderr;
 * the table to stdout; everything to bench/results/latest.json (and latest.txt).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import type { MariaDb } from '../test/helpers/mariadb.js';
import { ReferenceExporter } from '../test/helpers/reference-exporter.js';
import {
  Monitor,
  USERS,
  WriteLoad,
  captureStatements,
  createFixtures,
  createUsers,
  probeAddresses,
  removeTempDirs,
  startBenchDb,
} from './lib/db.js';
import { formatsScenarios } from './formats.js';
import { fleetScenario } from './fleet.js';
import { Floor } from './lib/floor.js';
import { ScrapeClient, closedLoop } from './lib/http.js';
import { log } from './lib/log.js';
import { type Participant, type Window, benchCpuMs, emptyWindow, measure } from './lib/measure.js';
import { ExporterProcess, buildOurs, referencePath, writeCnf } from './lib/proc.js';
import { type Figures, type ScenarioResult, loadSpan, table, writeJson } from './lib/report.js';
import { mean, percentile } from './lib/stats.js';
import { remoteScenario } from './remote.js';
import { transportsScenario } from './transports.js';

const env = process.env;
const num = (name: string, def: number) => {
  const v = env[name];
  return v === undefined || v === '' ? def : Number(v);
};
const CFG = {
  tables: num('BENCH_TABLES', 2000),
  scrapes: num('BENCH_SCRAPES', 200),
  allScrapes: num('BENCH_ALL_SCRAPES', 10),
  rounds: num('BENCH_ROUNDS', 5),
  concSeconds: num('BENCH_CONC_SECONDS', 10),
  concurrency: (env.BENCH_CONCURRENCY ?? '20,200')
    .split(',')
    .map(Number)
    .filter((n) => n > 0),
  probeTargets: num('BENCH_PROBE_TARGETS', 50),
  probeRounds: num('BENCH_PROBE_ROUNDS', 10),
  loadRate: num('BENCH_LOAD_RATE', 50),
  scenarios: new Set(
    (env.BENCH_SCENARIOS ?? 'default,concurrent,all,probe,formats,remote,fleet,transports').split(','),
  ),
  formatRenders: num('BENCH_FORMAT_RENDERS', 50),
  reference: env.BENCH_REFERENCE !== '0',
  out: env.BENCH_OUT ?? join(import.meta.dirname, 'results', 'latest.json'),
};

interface Ctx {
  readonly db: MariaDb;
  readonly monitor: Monitor;
  readonly load: WriteLoad;
  readonly entry: string;
  readonly refBin: string | undefined;
  readonly ourCnf: string;
  readonly theirCnf: string;
}

function exporterParticipant(p: ExporterProcess, user: string): Participant {
  return { name: p.side, user, cpuMs: () => p.cpuMs(), memory: () => p.memory() };
}

const floorParticipant: Participant = {
  name: 'floor',
  user: USERS.floor.user,
  cpuMs: benchCpuMs,
  memory: () => undefined,
};

interface Runner {
  readonly p: Participant;
  /** One scrape: latency (ms) and output bytes. */
  scrape(): Promise<{ ms: number; bytes: number; ok: boolean }>;
}

function httpRunner(p: Participant, client: ScrapeClient, path: string): Runner {
  return {
    p,
    async scrape() {
      const s = await client.get(path);
      return { ms: s.ms, bytes: s.bytes, ok: s.status === 200 };
    },
  };
}

function floorRunner(floor: Floor, statements: readonly string[]): Runner {
  return {
    p: floorParticipant,
    async scrape() {
      const t = performance.now();
      await floor.round(statements);
      return { ms: performance.now() - t, bytes: Number.NaN, ok: true };
    },
  };
}

interface SeqResult {
  readonly latencies: number[];
  readonly bytes: number[];
  errors: number;
  readonly window: Window;
}

/** `n` sequential scrapes per participant, in `rounds` batches, the order rotating every round. */
async function sequential(ctx: Ctx, runners: readonly Runner[], n: number, rounds: number) {
  const out = new Map<string, SeqResult>();
  for (const r of runners) out.set(r.p.name, { latencies: [], bytes: [], errors: 0, window: emptyWindow() });
  const perRound = Math.max(1, Math.ceil(n / rounds));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? runners : [...runners].reverse();
    for (const r of order) {
      const res = out.get(r.p.name)!;
      await measure(ctx.monitor, ctx.load, r.p, res.window, async () => {
        for (let i = 0; i < perRound; i++) {
          const s = await r.scrape();
          if (!s.ok) res.errors++;
          res.latencies.push(s.ms);
          res.bytes.push(s.bytes);
        }
      });
    }
    log(`  round ${round + 1}/${rounds}: ${order.map((r) => r.p.name).join(', ')}`);
  }
  const figures = new Map<string, Figures>();
  for (const r of runners) {
    const res = out.get(r.p.name)!;
    const count = res.latencies.length;
    const mem = r.p.memory();
    const cpuKey = r.p.name === 'floor' ? 'client_cpu_ms_per_round' : 'cpu_ms_per_scrape';
    figures.set(r.p.name, {
      p50_ms: percentile(res.latencies, 50),
      p90_ms: percentile(res.latencies, 90),
      p99_ms: percentile(res.latencies, 99),
      errors: res.errors,
      [cpuKey]: res.window.cpuMs / count,
      connections_per_scrape: res.window.connections / count,
      statements_per_scrape: res.window.statements / count,
      statements_per_s: (res.window.statements / res.window.elapsedMs) * 1000,
      ...(r.p.name === 'floor' ? {} : { bytes_per_scrape: mean(res.bytes) }),
      ...(mem ? { rss_mib: mem.rssMiB, peak_rss_mib: mem.hwmMiB } : {}),
    });
  }
  return figures;
}

async function startPair(ctx: Ctx, ourArgs: string[], theirArgs: string[] | undefined) {
  const ours = await ExporterProcess.start('ours', ctx.entry, ctx.ourCnf, ourArgs);
  log(`  ours: pid ${ours.pid} ${ours.url} ${ourArgs.join(' ')}`);
  let theirs: ExporterProcess | undefined;
  if (ctx.refBin && theirArgs) {
    theirs = await ExporterProcess.start('theirs', ctx.refBin, ctx.theirCnf, theirArgs);
    log(`  theirs: pid ${theirs.pid} ${theirs.url} (${theirArgs.length} flags)`);
  }
  return { ours, theirs };
}

async function warm(client: ScrapeClient, path: string, n: number, who: string): Promise<string> {
  let body = '';
  for (let i = 0; i < n; i++) {
    const s = await client.get(path, true);
    if (s.status !== 200)
      throw new Error(`${who}: warm-up scrape answered ${s.status}: ${s.body?.slice(0, 300)}`);
    body = s.body ?? '';
  }
  if (!/^mysql_up 1$/m.test(body)) log(`  WARNING: ${who} reports mysql_up != 1`);
  return body;
}

/** A scenario run over one pair of fresh exporter processes with the given flags. */
async function sequentialScenario(
  ctx: Ctx,
  id: string,
  title: string,
  ourArgs: string[],
  theirArgs: string[],
  n: number,
  warmups: number,
  after?: (pair: { ours: ExporterProcess; theirs: ExporterProcess | undefined }) => Promise<ScenarioResult[]>,
): Promise<ScenarioResult[]> {
  log(`scenario ${id}: ${title}`);
  const pair = await startPair(ctx, ourArgs, theirArgs);
  const oc = new ScrapeClient(pair.ours.url, 1);
  const tc = pair.theirs ? new ScrapeClient(pair.theirs.url, 1) : undefined;
  const floor = await Floor.open(ctx.db.port, USERS.floor.user, USERS.floor.password, 2);
  try {
    await warm(oc, '/metrics', warmups, 'ours');
    if (tc) await warm(tc, '/metrics', warmups, 'theirs');
    const statements = await captureStatements(ctx.monitor, USERS.ours.user, async () => {
      await oc.get('/metrics');
    });
    log(`  ours sends ${statements.length} statements per scrape; the floor replays them`);
    await floor.round(statements);
    const runners: Runner[] = [
      httpRunner(exporterParticipant(pair.ours, USERS.ours.user), oc, '/metrics'),
      ...(tc && pair.theirs
        ? [httpRunner(exporterParticipant(pair.theirs, USERS.theirs.user), tc, '/metrics')]
        : []),
      floorRunner(floor, statements),
    ];
    const figs = await sequential(ctx, runners, n, Math.min(CFG.rounds, n));
    const result: ScenarioResult = {
      id,
      title,
      ours: figs.get('ours')!,
      ...(figs.has('theirs') ? { theirs: figs.get('theirs')! } : {}),
      floor: figs.get('floor')!,
      statements,
    };
    const more = after ? await after(pair) : [];
    return [result, ...more];
  } finally {
    oc.close();
    tc?.close();
    await floor.close();
    await pair.ours.stop();
    await pair.theirs?.stop();
  }
}

/** 20 and 200 concurrent scrapers of one target, each side for a fixed time, alternating. */
async function concurrentScenarios(
  ctx: Ctx,
  pair: { ours: ExporterProcess; theirs: ExporterProcess | undefined },
): Promise<ScenarioResult[]> {
  const out: ScenarioResult[] = [];
  for (const c of CFG.concurrency) {
    log(`scenario concurrent-${c}: ${c} concurrent scrapers for ${CFG.concSeconds} s each`);
    const sides = [
      { p: pair.ours, user: USERS.ours.user },
      ...(pair.theirs ? [{ p: pair.theirs, user: USERS.theirs.user }] : []),
    ];
    if (out.length % 2 === 1) sides.reverse();
    const figs: Record<string, Figures> = {};
    for (const s of sides) {
      const part = exporterParticipant(s.p, s.user);
      const w = emptyWindow();
      const watch = ctx.monitor.watchSessions(s.user);
      let res: Awaited<ReturnType<typeof closedLoop>> | undefined;
      await measure(ctx.monitor, ctx.load, part, w, async () => {
        res = await closedLoop(s.p.url, '/metrics', c, CFG.concSeconds * 1000);
      });
      const peak = await watch.stop();
      const r = res!;
      const lat = r.scrapes.map((x) => x.ms);
      const mem = s.p.memory();
      figs[s.p.side] = {
        throughput_per_s: (r.scrapes.length / r.elapsedMs) * 1000,
        p50_ms: percentile(lat, 50),
        p99_ms: percentile(lat, 99),
        errors: r.errors,
        cpu_ms_per_scrape: w.cpuMs / Math.max(1, r.scrapes.length),
        connections_per_scrape: w.connections / Math.max(1, r.scrapes.length),
        statements_per_s: (w.statements / w.elapsedMs) * 1000,
        peak_sessions: peak,
        rss_mib: mem.rssMiB,
        peak_rss_mib: mem.hwmMiB,
      };
      log(
        `  ${s.p.side}: ${figs[s.p.side]!.throughput_per_s!.toFixed(1)} scrapes/s, p50 ${figs[s.p.side]!.p50_ms!.toFixed(1)} ms, ${r.errors} errors`,
      );
    }
    out.push({
      id: `concurrent-${c}`,
      title: `${c} concurrent scrapers, default collectors`,
      ours: figs.ours!,
      ...(figs.theirs ? { theirs: figs.theirs } : {}),
    });
  }
  return out;
}

/** N targets (distinct loopback addresses of the one server) probed at once, round after round. */
async function probeScenario(ctx: Ctx): Promise<ScenarioResult> {
  const n = CFG.probeTargets;
  const port = ctx.db.port;
  const targets = probeAddresses(n).map((a) => `/probe?target=${a}:${port}`);
  log(
    `scenario probe-${n}: ${n} targets through /probe, ${CFG.probeRounds} rounds of ${n} concurrent probes`,
  );
  const pair = await startPair(ctx, [`--probe.allow=127.0.0.0/8:${port}`], []);
  const notes: string[] = [];
  if (pair.theirs) {
    // The Debian 0.14 build has no /probe: every path answers with its landing page.
    const body = await (await fetch(`${pair.theirs.url}${targets[0]}`)).text();
    if (!/^mysql_up /m.test(body)) {
      notes.push('the reference (0.14) has no /probe endpoint (it answers with its landing page): ours only');
      log(`  ${notes[notes.length - 1]}`);
      await pair.theirs.stop();
      pair.theirs = undefined;
    }
  }
  const sides = [
    { p: pair.ours, user: USERS.ours.user },
    ...(pair.theirs ? [{ p: pair.theirs, user: USERS.theirs.user }] : []),
  ];
  const clients = new Map(sides.map((s) => [s.p.side, new ScrapeClient(s.p.url, n)]));
  try {
    const acc = new Map(
      sides.map((s) => [
        s.p.side,
        { latencies: [] as number[], rounds: [] as number[], errors: 0, window: emptyWindow(), peak: 0 },
      ]),
    );
    const round = async (side: (typeof sides)[number]) => {
      const client = clients.get(side.p.side)!;
      const t = performance.now();
      const res = await Promise.all(targets.map((path) => client.get(path, true)));
      return { ms: performance.now() - t, res };
    };
    // Warm-up round: every target's pool (ours) is opened here, not in the measured rounds.
    for (const s of sides) {
      const { res } = await round(s);
      const up = res.filter((r) => r.status === 200 && /^mysql_up 1$/m.test(r.body ?? '')).length;
      log(`  ${s.p.side}: warm-up round, ${up}/${n} targets up`);
    }
    for (let r = 0; r < CFG.probeRounds; r++) {
      const order = r % 2 === 0 ? sides : [...sides].reverse();
      for (const s of order) {
        const a = acc.get(s.p.side)!;
        const watch = ctx.monitor.watchSessions(s.user, 50);
        await measure(ctx.monitor, ctx.load, exporterParticipant(s.p, s.user), a.window, async () => {
          const { ms, res } = await round(s);
          a.rounds.push(ms);
          for (const x of res) {
            a.latencies.push(x.ms);
            if (x.status !== 200 || !/^mysql_up 1$/m.test(x.body ?? '')) a.errors++;
          }
        });
        a.peak = Math.max(a.peak, await watch.stop());
      }
    }
    const figs: Record<string, Figures> = {};
    for (const s of sides) {
      const a = acc.get(s.p.side)!;
      const count = a.latencies.length;
      const mem = s.p.memory();
      figs[s.p.side] = {
        p50_ms: percentile(a.latencies, 50),
        p99_ms: percentile(a.latencies, 99),
        round_p50_ms: percentile(a.rounds, 50),
        errors: a.errors,
        cpu_ms_per_scrape: a.window.cpuMs / count,
        connections_per_scrape: a.window.connections / count,
        statements_per_scrape: a.window.statements / count,
        peak_sessions: a.peak,
        rss_mib: mem.rssMiB,
        peak_rss_mib: mem.hwmMiB,
      };
    }
    return {
      id: `probe-${n}`,
      title: `${n} targets through /probe (127.0.0.2-127.0.0.${n + 1}:${port}), all probed at once per round`,
      ours: figs.ours!,
      ...(figs.theirs ? { theirs: figs.theirs } : {}),
      notes,
    };
  } finally {
    for (const c of clients.values()) c.close();
    await pair.ours.stop();
    await pair.theirs?.stop();
  }
}

interface Goal {
  readonly goal: string;
  readonly value: number | undefined;
  readonly limit: number | undefined;
  readonly met: boolean | undefined;
}

function goals(results: readonly ScenarioResult[]): Goal[] {
  const get = (id: string) => results.find((r) => r.id === id);
  const out: Goal[] = [];
  const check = (goal: string, value: number | undefined, limit: number | undefined, atMost = true) => {
    const ok =
      value === undefined || limit === undefined || Number.isNaN(value) || Number.isNaN(limit)
        ? undefined
        : atMost
          ? value <= limit
          : value >= limit;
    out.push({ goal, value, limit, met: ok });
  };
  const d = get('default');
  if (d) {
    check('default: p50 <= 0.5x theirs', d.ours.p50_ms, d.theirs?.p50_ms && d.theirs.p50_ms * 0.5);
    check('default: p50 <= 2x floor', d.ours.p50_ms, d.floor?.p50_ms && d.floor.p50_ms * 2);
    check('default: CPU/scrape <= 1.0x theirs', d.ours.cpu_ms_per_scrape, d.theirs?.cpu_ms_per_scrape);
    check('default: connections opened per scrape = 0', d.ours.connections_per_scrape, 0);
    check('default: peak RSS < 80 MiB', d.ours.peak_rss_mib, 80);
  }
  const a = get('all');
  if (a) {
    check('all: p50 <= 0.8x theirs', a.ours.p50_ms, a.theirs?.p50_ms && a.theirs.p50_ms * 0.8);
    check(
      'all: CPU/scrape <= 0.8x theirs',
      a.ours.cpu_ms_per_scrape,
      a.theirs?.cpu_ms_per_scrape && a.theirs.cpu_ms_per_scrape * 0.8,
    );
    check('all: peak RSS <= theirs', a.ours.peak_rss_mib, a.theirs?.peak_rss_mib);
  }
  const c = get('concurrent-200');
  if (c) {
    check(
      'concurrent-200: throughput >= 10x theirs',
      c.ours.throughput_per_s,
      c.theirs?.throughput_per_s && c.theirs.throughput_per_s * 10,
      false,
    );
    check(
      'concurrent-200: statements/s <= one scraper (default)',
      c.ours.statements_per_s,
      d?.ours.statements_per_s,
    );
  }
  return out;
}

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    return '';
  }
}

/** The scenarios with a database of their own (bench/remote.ts, bench/fleet.ts, bench/transports.ts). */
async function ownScenarios(): Promise<string[]> {
  const out: string[] = [];
  if (CFG.scenarios.has('remote')) out.push(await remoteScenario());
  if (CFG.scenarios.has('fleet')) out.push(await fleetScenario());
  if (CFG.scenarios.has('transports')) out.push(await transportsScenario());
  return out;
}

async function main(): Promise<void> {
  if (!['default', 'concurrent', 'all', 'probe'].some((s) => CFG.scenarios.has(s))) {
    process.stdout.write(`${(await ownScenarios()).join('\n\n')}\n`);
    return;
  }
  const started = new Date();
  const load0 = loadavg();
  const command = `${Object.entries(env)
    .filter(([k]) => k.startsWith('BENCH_'))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')} npm run bench`.trim();
  log(`settings: ${JSON.stringify({ ...CFG, scenarios: [...CFG.scenarios] })}`);
  const entry = buildOurs();
  const refBin = CFG.reference ? referencePath() : undefined;
  if (!refBin)
    log('prometheus-mysqld-exporter is not on PATH (or BENCH_REFERENCE=0): ours and the floor only');
  log('starting MariaDB');
  const db = await startBenchDb({ tables: CFG.tables, probeTargets: CFG.probeTargets });
  // However the benchmark ends, the server does not outlive it.
  process.on('exit', () => db.signal('SIGKILL'));
  const results: ScenarioResult[] = [];
  let monitor: Monitor | undefined;
  let load: WriteLoad | undefined;
  try {
    await createUsers(db);
    log(`creating ${CFG.tables} fixture tables`);
    const t = performance.now();
    await createFixtures(db, CFG.tables);
    log(`  fixtures ready in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    monitor = await Monitor.open(db);
    load = await WriteLoad.start(db, CFG.loadRate);
    const ctx: Ctx = {
      db,
      monitor,
      load,
      entry,
      refBin,
      ourCnf: writeCnf(db.port, USERS.ours.user, USERS.ours.password),
      theirCnf: writeCnf(db.port, USERS.theirs.user, USERS.theirs.password),
    };
    if (CFG.scenarios.has('default') || CFG.scenarios.has('concurrent')) {
      results.push(
        ...(await sequentialScenario(
          ctx,
          'default',
          `default collectors, ${CFG.scrapes} sequential scrapes`,
          [],
          [],
          CFG.scrapes,
          5,
          CFG.scenarios.has('concurrent') ? (pair) => concurrentScenarios(ctx, pair) : undefined,
        )),
      );
    }
    if (CFG.scenarios.has('all')) {
      results.push(
        ...(await sequentialScenario(
          ctx,
          'all',
          `every collector, ${CFG.tables} tables, ${CFG.allScrapes} sequential scrapes`,
          ['--collect.all'],
          refBin ? ReferenceExporter.collectorFlags().map((f) => `--${f}`) : [],
          CFG.allScrapes,
          2,
        )),
      );
    }
    if (CFG.scenarios.has('probe')) results.push(await probeScenario(ctx));
    if (CFG.scenarios.has('formats'))
      results.push(...(await formatsScenarios(ctx.ourCnf, CFG.formatRenders)));
  } finally {
    await load?.stop().catch(() => {});
    await monitor?.close().catch(() => {});
    if (/got signal|\[ERROR\]/.test(db.errorLog)) {
      const saved = join(dirname(CFG.out), 'mariadb-error.log');
      writeFileSync(saved, db.errorLog);
      log(`the server logged errors: ${saved}`);
    }
    await db.destroy();
    removeTempDirs();
  }

  const own = await ownScenarios();
  const g = goals(results);
  const tbl = table(results);
  const goalLines = g.map(
    (x) =>
      `${x.met === undefined ? 'n/a ' : x.met ? 'MET ' : 'MISS'}  ${x.goal}: ${x.value?.toFixed(2) ?? '-'} (limit ${x.limit?.toFixed(2) ?? '-'})`,
  );
  const machine = `${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${loadSpan(load0)}; shared with other work`;
  const summary = [
    `# ${command}`,
    `# ${started.toISOString()}, node ${process.version}, ${sh('git', ['rev-parse', '--short', 'HEAD'])}`,
    `# ${machine}`,
    '',
    tbl,
    '',
    ...goalLines,
    ...results.flatMap((r) => (r.notes ?? []).map((n) => `note (${r.id}): ${n}`)),
    '',
    ...own.flatMap((t) => [t, '']),
  ].join('\n');
  process.stdout.write(`${summary}\n`);
  writeJson(CFG.out, {
    command,
    started: started.toISOString(),
    node: process.version,
    revision: sh('git', ['rev-parse', 'HEAD']),
    machine,
    settings: { ...CFG, scenarios: [...CFG.scenarios] },
    results,
    goals: g,
  });
  writeFileSync(CFG.out.replace(/\.json$/, '.txt'), summary);
  log(`results written to ${CFG.out}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
