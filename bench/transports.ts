/**
 * Transports for one scrape's statements (issue 14: "batched on a connection of the exporter's own,
 * pipelined, or spread over the pool: measure each"). The statements a default scrape of ours sends
 * are captured from the general log (as the floor does), then replayed through the delaying proxy
 * at BENCH_RTTS (2,10,40) ms round trip on connections opened beforehand, in these transports:
 *
 *   serial     one connection, one statement after another (mysqld_exporter's shape; mysql2)
 *   pool-2     spread round-robin over 2 connections, all sent at once (each mysql2 connection
 *              runs its share one after another)
 *   pool-N     one connection per statement (N = statement count), all in flight at once
 *   batch      one multi-statement COM_QUERY on one connection (what the exporter ships; mysql2)
 *   pipelined  every COM_QUERY written at once on one connection, answers read in order
 *              (bench/lib/raw-mysql.ts: mysql2 does not pipeline)
 *
 * Per transport and round trip: p50/p90 wall ms over BENCH_TRANSPORT_REPS (20) repetitions (after
 * 2 warm-up ones, transports alternating within each repetition), client flights per repetition
 * (round trips on the wire, counted by the proxy), sessions used (connections open through the
 * proxy), CPU of this process per repetition (the proxy runs in a process of its own), and whether
 * every transport returned the same number of rows per statement as `serial`. Then the same with
 * the middle statement replaced by one that fails (BENCH_TRANSPORT_FAILING=0: not): the pipeline
 * and the pools run the others anyway; the batch stops at the failure on the server and sends the
 * rest again in a second COM_QUERY, as the exporter does. Writes results/transports.{json,txt}.
 *
 *   node --import tsx bench/transports.ts        (or BENCH_SCENARIOS=transports npm run bench)
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { type Connection, type QueryError, createConnection } from 'mysql2';
import mysql from 'mysql2/promise';
import { Monitor, USERS, captureStatements, createUsers, removeTempDirs, startBenchDb } from './lib/db.js';
import { pingPong } from './lib/delay-proxy.js';
import { ScrapeClient } from './lib/http.js';
import { log } from './lib/log.js';
import { benchCpuMs } from './lib/measure.js';
import { ExporterProcess, buildOurs, writeCnf } from './lib/proc.js';
import { ProxyProcess } from './lib/proxy-child.js';
import { RawMysqlClient } from './lib/raw-mysql.js';
import { loadSpan } from './lib/report.js';
import { fit } from './remote.js';
import { runIfMain } from './lib/standalone.js';
import { percentile } from './lib/stats.js';

const env = process.env;
const RTTS = (env.BENCH_RTTS ?? '2,10,40').split(',').map(Number);
const REPS = Number(env.BENCH_TRANSPORT_REPS ?? 20);
const WARMUPS = 2;
/** Fails on every server (error 1109), without touching anything. */
const FAILING = 'SELECT * FROM information_schema.no_such_table';
const WITH_FAILING = env.BENCH_TRANSPORT_FAILING !== '0';
const OUT = resolve(env.BENCH_TRANSPORTS_OUT ?? join(import.meta.dirname, 'results', 'transports.json'));

/** Rows per statement of one repetition; -1 for a statement that failed. */
type RowCounts = number[];

interface Transport {
  readonly name: string;
  /** Sessions this transport holds open (counted by the proxy when it opened them). */
  sessions: number;
  run(statements: readonly string[]): Promise<RowCounts>;
  close(): Promise<void>;
}

export interface TransportRow {
  /** `default`: the statements as captured; `one failing`: the middle one replaced by a failing one. */
  readonly set: string;
  readonly rttMs: number;
  readonly transport: string;
  readonly sessions: number;
  readonly p50: number;
  readonly p90: number;
  readonly flightsPerRep: number;
  readonly cpuMsPerRep: number;
  /** Statements whose row count differed from the serial transport's in some repetition. */
  readonly rowMismatches: string[];
}

const rowsOf = (r: unknown): number => (Array.isArray(r) ? r.length : 0);

/** mysql2's options for the transports on mysql2 (promise API for serial/pool, callback API for batch). */
function mysql2Options(port: number, multipleStatements: boolean) {
  const u = USERS.floor;
  return {
    host: '127.0.0.1',
    port,
    user: u.user,
    password: u.password,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    multipleStatements,
  };
}

const mysql2Conn = (port: number): Promise<mysql.Connection> =>
  mysql.createConnection(mysql2Options(port, false));

async function serial(port: number): Promise<Transport> {
  const c = await mysql2Conn(port);
  return {
    name: 'serial',
    sessions: 0,
    async run(statements) {
      const out: RowCounts = [];
      for (const s of statements) {
        try {
          out.push(rowsOf((await c.query(s))[0]));
        } catch {
          out.push(-1);
        }
      }
      return out;
    },
    close: () => c.end(),
  };
}

async function pool(port: number, k: number, name: string): Promise<Transport> {
  const conns = await Promise.all(Array.from({ length: k }, () => mysql2Conn(port)));
  return {
    name,
    sessions: 0,
    run(statements) {
      // Round-robin; each connection queues its share (mysql2 sends a command when the last ended).
      return Promise.all(
        statements.map((s, i) =>
          conns[i % k]!.query(s).then(
            ([r]) => rowsOf(r),
            () => -1,
          ),
        ),
      );
    },
    async close() {
      await Promise.all(conns.map((c) => c.end()));
    },
  };
}

/** One multi-statement COM_QUERY: the result sets, and where the server stopped if one failed. */
function sendBatch(
  c: Connection,
  statements: readonly string[],
): Promise<{ sets: unknown[]; failedAt: number | undefined }> {
  const sql = statements.map((s) => s.replace(/[\s;]+$/, '')).join(';\n');
  return new Promise((resolve, reject) => {
    const q = c.query(sql, (err: QueryError | null, rows: unknown) => {
      if (!err)
        return resolve({ sets: statements.length === 1 ? [rows] : (rows as unknown[]), failedAt: undefined });
      if (err.fatal) return reject(err);
      // As src/db/batch.ts: the statements before the failing one have their results on the command.
      const cmd = q as unknown as { _resultIndex: number; _rows: unknown[] };
      const failedAt = Math.min(cmd._resultIndex, statements.length - 1);
      resolve({ sets: cmd._rows.slice(0, failedAt), failedAt });
    });
  });
}

async function batch(port: number): Promise<Transport> {
  // Our statements only (captured from our exporter), as ours sends them.
  const c = createConnection(mysql2Options(port, true));
  await new Promise<void>((resolve, reject) => c.connect((err) => (err ? reject(err) : resolve())));
  return {
    name: 'batch',
    sessions: 0,
    async run(statements) {
      // As the exporter does: the statements after a failing one go out again in the next batch.
      const out: RowCounts = [];
      let rest = statements;
      while (rest.length > 0) {
        const { sets, failedAt } = await sendBatch(c, rest);
        out.push(...sets.map(rowsOf));
        if (failedAt === undefined) break;
        out.push(-1);
        rest = rest.slice(failedAt + 1);
      }
      return out;
    },
    close: () => new Promise<void>((resolve) => c.end(() => resolve())),
  };
}

async function pipelined(port: number): Promise<Transport> {
  const u = USERS.floor;
  const c = await RawMysqlClient.connect({ host: '127.0.0.1', port, user: u.user, password: u.password });
  return {
    name: 'pipelined',
    sessions: 0,
    async run(statements) {
      const rs = await c.pipeline(statements);
      return rs.map((r) => (r.kind === 'rows' ? r.rows.length : r.kind === 'ok' ? 0 : -1));
    },
    close: () => c.close(),
  };
}

/** The statements one default scrape of ours sends, from the general log (one entry per statement). */
async function captureOurs(dbPort: number, monitor: Monitor): Promise<string[]> {
  const entry = buildOurs();
  const ours = await ExporterProcess.start(
    'ours',
    entry,
    writeCnf(dbPort, USERS.ours.user, USERS.ours.password),
    [],
  );
  const client = new ScrapeClient(ours.url, 1);
  try {
    // Warm-up: the session's own settings and the first batches are not a steady-state scrape.
    for (let i = 0; i < 3; i++) await client.get('/metrics');
    const logged = await captureStatements(monitor, USERS.ours.user, async () => {
      await client.get('/metrics');
    });
    // MariaDB logs a multi-statement COM_QUERY as one entry; the batcher joins with ";\n".
    return logged.flatMap((s) => s.split(';\n')).map((s) => s.replace(/[\s;]+$/, ''));
  } finally {
    client.close();
    await ours.stop();
  }
}

export async function transportsScenario(): Promise<string> {
  const load0 = loadavg();
  const check: string[] = [];
  for (const rtt of RTTS) {
    const t = await pingPong(rtt / 2, 40);
    check.push(`${rtt} ms -> p50 ${percentile(t, 50).toFixed(2)} ms`);
  }
  log(`proxy ping-pong (configured RTT -> measured): ${check.join('; ')}`);
  log('starting MariaDB');
  const db = await startBenchDb({ tables: 0, probeTargets: 0 });
  process.on('exit', () => db.signal('SIGKILL'));
  const rows: TransportRow[] = [];
  let statements: string[] = [];
  const rowCounts: Record<string, RowCounts> = {};
  /** Connections opened while the transports ran (all were opened beforehand: should be 0). */
  let reconnects = Number.NaN;
  try {
    await createUsers(db);
    const monitor = await Monitor.open(db);
    try {
      statements = await captureOurs(db.port, monitor);
    } finally {
      await monitor.close();
    }
    if (statements.length === 0) throw new Error('no statements captured from our exporter');
    log(`  ours sends ${statements.length} statements per default scrape:`);
    for (const s of statements) log(`    ${s.replace(/\s+/g, ' ').slice(0, 110)}`);
    const proxy = await ProxyProcess.start({ upstream: { host: '127.0.0.1', port: db.port }, oneWayMs: 0 });
    const port = proxy.ports[0]!;
    const open = async () => (await proxy.stats())[0]!.open;
    const transports: Transport[] = [];
    try {
      const makers: Array<() => Promise<Transport>> = [
        () => serial(port),
        () => pool(port, 2, 'pool-2'),
        () => pool(port, statements.length, `pool-${statements.length}`),
        () => batch(port),
        () => pipelined(port),
      ];
      for (const make of makers) {
        const before = await open();
        const t = await make();
        t.sessions = (await open()) - before;
        transports.push(t);
      }
      const connections0 = (await proxy.stats())[0]!.connections;
      const failing = [...statements];
      failing[Math.floor(statements.length / 2)] = FAILING;
      const sets = [
        { set: 'default', statements },
        ...(WITH_FAILING ? [{ set: 'one failing', statements: failing }] : []),
      ];
      for (const { set, statements } of sets)
        for (const rtt of RTTS) {
          await proxy.setDelay(rtt / 2);
          const acc = transports.map(() => ({
            ms: [] as number[],
            flights: 0,
            cpu: 0,
            mismatch: new Set<string>(),
          }));
          for (let rep = -WARMUPS; rep < REPS; rep++) {
            // Alternate the order every repetition so that no transport always follows the same one.
            const order = transports.map((_, i) => i);
            if (rep % 2 !== 0) order.reverse();
            let reference: RowCounts | undefined;
            const counts = new Map<number, RowCounts>();
            for (const i of order) {
              const t = transports[i]!;
              const f0 = (await proxy.stats())[0]!.flights;
              const c0 = benchCpuMs();
              const t0 = performance.now();
              const got = await t.run(statements);
              const ms = performance.now() - t0;
              const cpu = benchCpuMs() - c0;
              const f1 = (await proxy.stats())[0]!.flights;
              counts.set(i, got);
              if (rep < 0) continue;
              const a = acc[i]!;
              a.ms.push(ms);
              a.cpu += cpu;
              a.flights += f1 - f0;
            }
            reference = counts.get(0);
            for (const [i, got] of counts) {
              got.forEach((n, j) => {
                if (n !== reference?.[j]) acc[i]!.mismatch.add(`#${j + 1} ${n} vs ${reference?.[j]}`);
              });
            }
          }
          transports.forEach((t, i) => {
            const a = acc[i]!;
            rows.push({
              set,
              rttMs: rtt,
              transport: t.name,
              sessions: t.sessions,
              p50: percentile(a.ms, 50),
              p90: percentile(a.ms, 90),
              flightsPerRep: a.flights / REPS,
              cpuMsPerRep: a.cpu / REPS,
              rowMismatches: [...a.mismatch],
            });
          });
          log(`  ${set}, ${rtt} ms: done`);
        }
      reconnects = (await proxy.stats())[0]!.connections - connections0;
      for (const x of sets) rowCounts[x.set] = await transports[0]!.run(x.statements);
      log(`  rows per statement (serial; -1: failed): ${JSON.stringify(rowCounts)}`);
    } finally {
      for (const t of transports) await t.close().catch(() => {});
      await proxy.close();
    }
  } finally {
    await db.destroy();
    removeTempDirs();
  }
  const lines: string[] = [];
  lines.push(
    `# transports for one default scrape's ${statements.length} statements through the delaying proxy, ${REPS} repetitions per transport and RTT; ${cpus().length} CPUs, ${loadSpan(load0)}`,
  );
  lines.push(`# proxy check (ping-pong, configured RTT -> measured): ${check.join('; ')}`);
  lines.push(
    `# rows per statement (-1: failed): ${Object.entries(rowCounts)
      .map(([k, v]) => `${k} ${v.join(', ')}`)
      .join('; ')}; connections opened during the repetitions: ${reconnects}`,
  );
  lines.push(
    'set          RTT ms  transport   sessions   p50 ms   p90 ms  flights/rep  CPU ms/rep  rows = serial',
  );
  for (const r of rows) {
    lines.push(
      `${r.set.padEnd(11)} ${String(r.rttMs).padStart(7)}  ${r.transport.padEnd(10)} ${String(r.sessions).padStart(9)} ${r.p50.toFixed(1).padStart(8)} ${r.p90.toFixed(1).padStart(8)} ${r.flightsPerRep.toFixed(2).padStart(12)} ${r.cpuMsPerRep.toFixed(2).padStart(11)}  ${r.rowMismatches.length === 0 ? 'yes' : `NO: ${r.rowMismatches.join('; ')}`}`,
    );
  }
  if (RTTS.length >= 2) {
    for (const key of [...new Set(rows.map((r) => `${r.set}\t${r.transport}`))]) {
      const [set, name] = key.split('\t') as [string, string];
      const pts = rows.filter((r) => r.set === set && r.transport === name);
      const f = fit(
        pts.map((p) => p.rttMs),
        pts.map((p) => p.p50),
      );
      lines.push(
        `fit ${set.padEnd(11)} ${name.padEnd(10)} p50 = ${f.a.toFixed(1)} ms + ${f.b.toFixed(2)} x RTT (round trips on the critical path)`,
      );
    }
  }
  const text = lines.join('\n');
  writeFileSync(OUT, JSON.stringify({ statements, rowCounts, reconnects, rows, check, text }, null, 2));
  writeFileSync(OUT.replace(/\.json$/, '.txt'), `${text}\n`);
  log(`results written to ${OUT}`);
  return text;
}

runIfMain(import.meta.filename, transportsScenario);
