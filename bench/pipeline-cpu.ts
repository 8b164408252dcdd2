/**
 * The scrape pipeline in this process, stage by stage, on one real scrape's rows: the default
 * collectors' statements are run once against a throwaway MariaDB, then each stage is timed over
 * BENCH_PIPE_ITER (2,000) repetitions from those rows: map (collectors' row mapping, validation,
 * merge), serialize (text), openmetrics, gzip (as compress.ts does it: one call up to 1 MiB) and
 * gzip-stream (through a zlib stream, as it does above 1 MiB). No driver, HTTP or database time: what our own code costs per
 * scrape, and how much garbage it makes (scavenges per 1,000 scrapes).
 *
 *   node --import tsx bench/pipeline-cpu.ts
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { createGzip } from 'node:zlib';
import { USERS, createUsers, removeTempDirs, startBenchDb } from './lib/db.js';
import { runIfMain } from './lib/standalone.js';
import { writeCnf } from './lib/proc.js';
import { createEmbeddedExporter } from '../src/embed.js';
import { scrapeFamilies } from '../src/scrape/scrape-families.js';
import { serializeChunks } from '../src/exposition/serialize.js';
import { openMetricsChunks } from '../src/exposition/openmetrics.js';
import { GZIP_LEVEL, gzipExposition } from '../src/exposition/compress.js';
import type { Exposition } from '../src/exposition/serialize.js';
import type { Exporter } from '../src/exporter.js';

const ITER = Number(process.env.BENCH_PIPE_ITER ?? 2000);

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function stage(name: string, n: number, fn: () => unknown): Promise<string> {
  let gcs = 0;
  let gcMs = 0;
  const kinds = new Map<number, [number, number]>();
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcs++;
      gcMs += e.duration;
      const k = (e as unknown as { detail: { kind: number } }).detail.kind;
      const v = kinds.get(k) ?? [0, 0];
      kinds.set(k, [v[0] + 1, v[1] + e.duration]);
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  for (let i = 0; i < Math.min(200, n); i++) await fn();
  const c0 = cpuMs();
  for (let i = 0; i < n; i++) await fn();
  const per = (cpuMs() - c0) / n;
  await new Promise((r) => setTimeout(r, 10));
  obs.disconnect();
  return `${name.padEnd(10)} ${per.toFixed(3).padStart(8)} ms  ${((gcs * 1000) / n).toFixed(0).padStart(6)} GCs/1000  ${(gcMs / n).toFixed(3)} ms GC ${[...kinds].map(([k, [c, d]]) => `kind${k}:${c}/${d.toFixed(0)}ms`).join(' ')}`;
}

/** The same gzip through a zlib stream, chunk by chunk (what compress.ts does above 1 MiB). */
function gzipStream(e: Exposition): Promise<number> {
  return new Promise((resolve, reject) => {
    const z = createGzip({ level: GZIP_LEVEL, chunkSize: 64 * 1024 });
    let n = 0;
    z.on('data', (c: Buffer) => {
      n += c.length;
    });
    z.once('error', reject);
    z.once('end', () => resolve(n));
    for (const c of e.chunks) z.write(c);
    z.end();
  });
}

export async function pipelineScenario(): Promise<string> {
  const db = await startBenchDb({ tables: 0, probeTargets: 0 });
  process.on('exit', () => db.signal('SIGKILL'));
  let exporter: Exporter | undefined;
  let close = async () => {};
  try {
    await createUsers(db);
    const cnf = writeCnf(db.port, USERS.ours.user, USERS.ours.password);
    const embedded = await createEmbeddedExporter({ argv: [`--config.my-cnf=${cnf}`] });
    exporter = embedded.exporter;
    close = embedded.close;
    const scrapeOnce = () =>
      exporter!.scrape({ module: 'client', signal: new AbortController().signal, deadlineMs: 10_000 });
    const result = await scrapeOnce();
    const families = scrapeFamilies(result);
    const text = serializeChunks(families, false);
    const lines = [
      `# pipeline-cpu: ${families.length} families, ${families.reduce((a, f) => a + f.samples.length, 0)} samples, ${text.byteLength} bytes; ${ITER} repetitions per stage`,
      await stage('scrape', Math.min(ITER, 500), () => scrapeOnce()),
      await stage('serialize', ITER, () => serializeChunks(scrapeFamilies(result), false)),
      await stage('openmetrics', ITER, () => openMetricsChunks(scrapeFamilies(result))),
      await stage('gzip', ITER, () => gzipExposition(text)),
      await stage('gzip-stream', ITER, () => gzipStream(text)),
    ];
    return lines.join('\n');
  } finally {
    await close();
    await db.destroy();
    removeTempDirs();
  }
}

runIfMain(import.meta.filename, pipelineScenario);
