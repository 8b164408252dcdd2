/**
 * CPU per scrape, the figure that bounds fleet mode (bench/fleet.ts): our exporter as a child
 * process, BENCH_CPU_SCRAPES (1,000) gzip-encoded `/probe` scrapes of one MariaDB with the default
 * collectors, BENCH_CPU_CONCURRENCY (1) at a time (more share rounds: single-flight), after 50 warm-up scrapes. Reports the exporter's
 * utime + stime per scrape (what one event loop pays per target and interval), response bytes and
 * the scrape rate. Quick and free of the fleet's timers, so a change to the hot path can be judged
 * in seconds; BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles it (bench/profile-top.ts).
 *
 *   node --import tsx bench/scrape-cpu.ts
 */
import http from 'node:http';
import { USERS, createUsers, removeTempDirs, startBenchDb } from './lib/db.js';
import { PROMETHEUS_ACCEPT } from './lib/http.js';
import { log } from './lib/log.js';
import { ExporterProcess, buildOurs, writeCnf } from './lib/proc.js';
import { runIfMain } from './lib/standalone.js';

const env = process.env;
const SCRAPES = Number(env.BENCH_CPU_SCRAPES ?? 1000);
const CONCURRENCY = Number(env.BENCH_CPU_CONCURRENCY ?? 1);
const TABLES = Number(env.BENCH_TABLES ?? 0);
const EXTRA_ARGS = (env.BENCH_CPU_ARGS ?? '').split(/\s+/).filter(Boolean);
const ACCEPT = env.BENCH_ACCEPT ?? PROMETHEUS_ACCEPT;

function get(agent: http.Agent, url: string): Promise<number> {
  return new Promise((done, fail) => {
    http
      .get(url, { agent, headers: { 'accept-encoding': 'gzip', accept: ACCEPT } }, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
        });
        res.on('end', () =>
          res.statusCode === 200 ? done(bytes) : fail(new Error(`HTTP ${res.statusCode}`)),
        );
      })
      .on('error', fail);
  });
}

async function run(agent: http.Agent, url: string, n: number): Promise<number> {
  let next = 0;
  let bytes = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      bytes = await get(agent, url);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return bytes;
}

export async function scrapeCpuScenario(): Promise<string> {
  const entry = buildOurs();
  const db = await startBenchDb({ tables: TABLES, probeTargets: 0 });
  process.on('exit', () => db.signal('SIGKILL'));
  try {
    await createUsers(db);
    const cnf = writeCnf(db.port, USERS.ours.user, USERS.ours.password);
    const exp = await ExporterProcess.start('ours', entry, cnf, [
      '--probe.allow=127.0.0.1/32',
      ...EXTRA_ARGS,
    ]);
    try {
      const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
      const url = `${exp.url}/probe?target=127.0.0.1:${db.port}`;
      await run(agent, url, 50);
      const cpu0 = exp.cpuMs();
      const t0 = performance.now();
      const bytes = await run(agent, url, SCRAPES);
      const secs = (performance.now() - t0) / 1000;
      const cpu = (exp.cpuMs() - cpu0) / SCRAPES;
      agent.destroy();
      log(`scrape-cpu: ${cpu.toFixed(2)} ms CPU per scrape`);
      return [
        `# scrape-cpu: ${SCRAPES} gzip /probe scrapes (Accept: ${ACCEPT.split(',')[0]}), ${CONCURRENCY} at a time, default collectors${EXTRA_ARGS.length ? `, ${EXTRA_ARGS.join(' ')}` : ''}${env.BENCH_NODE_ARGS ? `, node ${env.BENCH_NODE_ARGS}` : ''}`,
        'CPU ms/scrape  scrapes/s  gzip bytes  RSS MiB',
        `${cpu.toFixed(2).padStart(13)}  ${(SCRAPES / secs).toFixed(0).padStart(9)}  ${String(bytes).padStart(10)}  ${exp.memory().rssMiB.toFixed(0).padStart(7)}`,
      ].join('\n');
    } finally {
      await exp.stop();
    }
  } finally {
    await db.destroy();
    removeTempDirs();
  }
}

runIfMain(import.meta.filename, scrapeCpuScenario);
