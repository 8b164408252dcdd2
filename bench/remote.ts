/**
 * Remote database: ours and mysqld_exporter side by side, scraping one MariaDB through the delaying
 * proxy (bench/lib/delay-proxy.ts) at BENCH_RTTS (2,10,40) ms round trip, without and with TLS to
 * the database (BENCH_REMOTE_TLS=off,on; a throwaway CA). Reports p50/p90, the client flights the
 * proxy counted per scrape (round trips on the wire) and connections per scrape, and fits
 * latency = a + b x RTT over the round trips (b: round trips on the critical path).
 *
 *   node --import tsx bench/remote.ts        (or BENCH_SCENARIOS=remote npm run bench)
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { makeTestCa } from '../test/helpers/test-ca.js';
import { USERS, createUsers, removeTempDirs, startBenchDb } from './lib/db.js';
import { pingPong } from './lib/delay-proxy.js';
import { ScrapeClient } from './lib/http.js';
import { log } from './lib/log.js';
import { runIfMain } from './lib/standalone.js';
import { ExporterProcess, type Side, buildOurs, referencePath } from './lib/proc.js';
import { ProxyProcess } from './lib/proxy-child.js';
import { percentile } from './lib/stats.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { tempDirs } from './lib/db.js';
import { loadSpan } from './lib/report.js';

const env = process.env;
const RTTS = (env.BENCH_RTTS ?? '2,10,40').split(',').map(Number);
const SCRAPES = Number(env.BENCH_REMOTE_SCRAPES ?? 20);
const TLS_MODES = (env.BENCH_REMOTE_TLS ?? 'off,on').split(',') as Array<'off' | 'on'>;
const OUT = resolve(env.BENCH_REMOTE_OUT ?? join(import.meta.dirname, 'results', 'remote.json'));

export interface RemoteRow {
  readonly tls: 'off' | 'on';
  readonly rttMs: number;
  readonly side: Side;
  readonly p50: number;
  readonly p90: number;
  readonly flightsPerScrape: number;
  readonly connectionsPerScrape: number;
  readonly cpuMsPerScrape: number;
  readonly failed: number;
}

function cnf(port: number, side: Side, ca: string | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'mysql-exporter-bench-'));
  tempDirs.push(dir);
  const u = USERS[side];
  const tls = ca === undefined ? '' : side === 'ours' ? `tls = true\nssl-ca = ${ca}\n` : `ssl-ca = ${ca}\n`;
  const p = join(dir, 'my.cnf');
  writeFileSync(
    p,
    `[client]\nhost = 127.0.0.1\nport = ${port}\nuser = ${u.user}\npassword = "${u.password}"\n${tls}`,
    { mode: 0o600 },
  );
  return p;
}

/** Least squares fit y = a + b x. */
export function fit(xs: readonly number[], ys: readonly number[]): { a: number; b: number } {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  const b = den === 0 ? 0 : num / den;
  return { a: my - b * mx, b };
}

export async function remoteScenario(): Promise<string> {
  const load0 = loadavg();
  const check: string[] = [];
  for (const rtt of RTTS) {
    const t = await pingPong(rtt / 2, 40);
    check.push(`${rtt} ms -> p50 ${percentile(t, 50).toFixed(2)} / p90 ${percentile(t, 90).toFixed(2)} ms`);
  }
  log(`proxy ping-pong (configured RTT -> measured): ${check.join('; ')}`);
  const entry = buildOurs();
  const refBin = referencePath();
  const pki = makeTestCa();
  const server = pki.leaf('server');
  log('starting MariaDB (TLS material loaded)');
  const db = await startBenchDb({
    tables: 0,
    probeTargets: 0,
    args: [`--ssl-ca=${pki.caPath}`, `--ssl-cert=${server.certPath}`, `--ssl-key=${server.keyPath}`],
  });
  process.on('exit', () => db.signal('SIGKILL'));
  const rows: RemoteRow[] = [];
  try {
    await createUsers(db);
    for (const tls of TLS_MODES) {
      const proxy = await ProxyProcess.start({
        upstream: { host: '127.0.0.1', port: db.port },
        oneWayMs: RTTS[0]! / 2,
      });
      const port = proxy.ports[0]!;
      const ca = tls === 'on' ? pki.caPath : undefined;
      const procs: ExporterProcess[] = [
        await ExporterProcess.start('ours', entry, cnf(port, 'ours', ca), []),
      ];
      if (refBin) procs.push(await ExporterProcess.start('theirs', refBin, cnf(port, 'theirs', ca), []));
      try {
        for (const rtt of RTTS) {
          await proxy.setDelay(rtt / 2);
          const clients = procs.map((p) => new ScrapeClient(p.url, 1));
          for (const c of clients) for (let i = 0; i < 3; i++) await c.get('/metrics');
          const acc = procs.map(() => ({ ms: [] as number[], flights: 0, conns: 0, cpu: 0, failed: 0 }));
          for (let i = 0; i < SCRAPES; i++) {
            const order = i % 2 === 0 ? [0, 1] : [1, 0];
            for (const k of order) {
              const p = procs[k];
              if (!p) continue;
              const a = acc[k]!;
              const s0 = (await proxy.stats())[0]!;
              const cpu0 = p.cpuMs();
              const r = await clients[k]!.get('/metrics', true);
              a.cpu += p.cpuMs() - cpu0;
              const s1 = (await proxy.stats())[0]!;
              a.ms.push(r.ms);
              a.flights += s1.flights - s0.flights;
              a.conns += s1.connections - s0.connections;
              // Failed: not served, not up, or any collector failed.
              const body = r.body ?? '';
              if (
                r.status !== 200 ||
                !/^mysql_up 1$/m.test(body) ||
                /_collector_success\{[^}]*\} 0$/m.test(body)
              )
                a.failed++;
            }
          }
          for (const c of clients) c.close();
          procs.forEach((p, k) => {
            const a = acc[k]!;
            rows.push({
              tls,
              rttMs: rtt,
              side: p.side,
              p50: percentile(a.ms, 50),
              p90: percentile(a.ms, 90),
              flightsPerScrape: a.flights / SCRAPES,
              connectionsPerScrape: a.conns / SCRAPES,
              cpuMsPerScrape: a.cpu / SCRAPES,
              failed: a.failed,
            });
          });
          log(`  tls ${tls}, ${rtt} ms: done`);
        }
      } finally {
        for (const p of procs) await p.stop();
        await proxy.close();
      }
    }
  } finally {
    await db.destroy();
    removeTempDirs();
  }
  const lines: string[] = [];
  lines.push(
    `# remote database through the delaying proxy, ${SCRAPES} scrapes per side and RTT, default collectors; ${cpus().length} CPUs, ${loadSpan(load0)}`,
  );
  lines.push(`# proxy check (ping-pong, configured RTT -> measured): ${check.join('; ')}`);
  lines.push(
    'tls  RTT ms  side      p50 ms   p90 ms  flights/scrape  conns/scrape  CPU ms/scrape  failed  p50 ours/theirs',
  );
  for (const r of rows) {
    const other = rows.find((o) => o.tls === r.tls && o.rttMs === r.rttMs && o.side === 'theirs');
    const ratio = r.side === 'ours' && other ? `${(r.p50 / other.p50).toFixed(2)}x` : '';
    lines.push(
      `${r.tls.padEnd(4)} ${String(r.rttMs).padStart(6)}  ${r.side.padEnd(7)} ${r.p50.toFixed(1).padStart(8)} ${r.p90.toFixed(1).padStart(8)} ${r.flightsPerScrape.toFixed(2).padStart(15)} ${r.connectionsPerScrape.toFixed(2).padStart(13)} ${r.cpuMsPerScrape.toFixed(1).padStart(14)} ${String(r.failed).padStart(7)}  ${ratio}`,
    );
  }
  for (const tls of TLS_MODES) {
    for (const side of ['ours', 'theirs'] as const) {
      const pts = rows.filter((r) => r.tls === tls && r.side === side);
      if (pts.length < 2) continue;
      const f = fit(
        pts.map((p) => p.rttMs),
        pts.map((p) => p.p50),
      );
      lines.push(
        `fit tls ${tls} ${side}: p50 = ${f.a.toFixed(1)} ms + ${f.b.toFixed(2)} x RTT (round trips on the critical path)`,
      );
    }
  }
  const at10 = (side: Side) => rows.find((r) => r.tls === 'off' && r.rttMs === 10 && r.side === side);
  const o = at10('ours');
  const t = at10('theirs');
  if (o)
    lines.push(
      `${o.flightsPerScrape <= 1.5 ? 'MET ' : 'MISS'}  remote 10 ms: round trips per scrape <= 1.5: ${o.flightsPerScrape.toFixed(2)}`,
    );
  if (o && t)
    lines.push(
      `${o.p50 <= 0.3 * t.p50 ? 'MET ' : 'MISS'}  remote 10 ms: p50 <= 0.3x theirs: ${o.p50.toFixed(1)} (limit ${(0.3 * t.p50).toFixed(1)})`,
    );
  const text = lines.join('\n');
  writeFileSync(OUT, JSON.stringify({ rows, check, text }, null, 2));
  writeFileSync(OUT.replace(/\.json$/, '.txt'), `${text}\n`);
  log(`results written to ${OUT} (${dirname(OUT)})`);
  return text;
}

runIfMain(import.meta.filename, remoteScenario);
