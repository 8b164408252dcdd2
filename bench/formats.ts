/**
 * Scenario `formats`: what each exposition format costs for one real scrape's families (default
 * collectors; every collector), rendered in this process (no HTTP, no database time): CPU ms per
 * render (median of BENCH_FORMAT_RENDERS, each from scratch: no shared-round memo), bytes, and gzip
 * bytes. Protobuf is rendered as with --exporter.native_histograms (native histograms next to the
 * classic ones). `protobufjs` is the same protobuf (classic histograms only) written with protobufjs
 * instead of our writer, for the choice between the two (src/exposition/protobuf.ts).
 */
import { gzipSync } from 'node:zlib';
import { loadConfig } from '../src/assemble.js';
import { Exporter } from '../src/exporter.js';
import { GZIP_LEVEL } from '../src/exposition/compress.js';
import type { ExpositionFormat } from '../src/exposition/format.js';
import { renderFormat } from '../src/exposition/render-format.js';
import { scrapeFamilies } from '../src/scrape/scrape-families.js';
import { silentLogger } from '../src/log/logger.js';
import type { MetricFamily } from '../src/model/metrics.js';
import { log } from './lib/log.js';
import { protobufjsEncode } from './lib/protobufjs-encode.js';
import type { Figures, ScenarioResult } from './lib/report.js';
import { percentile } from './lib/stats.js';

const FORMATS: readonly ExpositionFormat[] = ['text', 'openmetrics', 'protobuf'];

async function familiesOf(cnf: string, args: readonly string[]): Promise<MetricFamily[]> {
  const loaded = await loadConfig([`--config.my-cnf=${cnf}`, ...args], {});
  if (loaded.kind !== 'config') throw new Error('expected a configuration');
  const exporter = new Exporter(loaded.config.state, {
    log: silentLogger(),
    maxTargets: loaded.config.maxTargets,
    maxWaitersPerTarget: loaded.config.maxWaitingScrapes,
  });
  try {
    const result = await exporter.scrape({
      module: 'client',
      signal: AbortSignal.timeout(120_000),
      deadlineMs: 120_000,
    });
    if (!result.up) throw new Error('the scrape for the formats scenario failed (mysql_up 0)');
    // A plain copy: no shared-round memo, every render below starts from nothing.
    return [...scrapeFamilies(result)];
  } finally {
    await exporter.close();
  }
}

async function timeIt(
  n: number,
  run: () => Promise<number> | number,
): Promise<{ ms: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < n + 2; i++) {
    const t = process.cpuUsage();
    bytes = await run();
    const d = process.cpuUsage(t);
    if (i >= 2) times.push((d.user + d.system) / 1000);
  }
  return { ms: percentile(times, 50), bytes };
}

async function one(id: string, title: string, families: MetricFamily[], n: number): Promise<ScenarioResult> {
  const ours: Figures = {};
  const notes: string[] = [];
  for (const format of FORMATS) {
    // Protobuf as a scraper gets it with --exporter.native_histograms (native next to classic).
    const opts = { native: format === 'protobuf' };
    const r = await timeIt(
      n,
      async () => (await renderFormat(families, format, [], undefined, opts)).byteLength,
    );
    const body = Buffer.concat(
      (await renderFormat(families, format, [], undefined, opts)).chunks as Buffer[],
    );
    ours[`render_ms_${format}`] = r.ms;
    ours[`bytes_${format}`] = r.bytes;
    ours[`gzip_bytes_${format}`] = gzipSync(body, { level: GZIP_LEVEL }).length;
    const gz = await timeIt(
      n,
      async () => (await renderFormat(families, format, [], 'gzip', opts)).byteLength,
    );
    ours[`render_gzip_ms_${format}`] = gz.ms;
  }
  const pbjs = await timeIt(n, () => protobufjsEncode(families).length);
  ours.render_ms_protobufjs = pbjs.ms;
  ours.bytes_protobufjs = pbjs.bytes;
  let samples = 0;
  for (const f of families) samples += f.samples.length;
  notes.push(`${families.length} families, ${samples} samples; median CPU of ${n} renders each`);
  log(`  ${id}: ${JSON.stringify(ours)}`);
  return { id, title, ours, notes };
}

export async function formatsScenarios(cnf: string, n: number): Promise<ScenarioResult[]> {
  log('scenario formats: render cost and bytes per exposition format');
  const def = await familiesOf(cnf, []);
  const all = await familiesOf(cnf, ['--collect.all']);
  return [
    await one('formats-default', 'default collectors: render CPU and bytes per format', def, n),
    await one(
      'formats-all',
      'every collector: render CPU and bytes per format',
      all,
      Math.max(3, Math.round(n / 5)),
    ),
  ];
}
