/**
 * Big schemas: ours (compiled, as a child process, launch flags as installed) and the Debian
 * mysqld_exporter 0.14 against one throwaway MariaDB with BIG_TABLES InnoDB tables (default 20,000;
 * each with a primary key, one secondary index and one row, read once so that performance_schema has
 * its table and index rows). Scenarios (BIG_SCENARIOS, default all):
 * - `tables`: `--collect.info_schema.tables`, every other flag at its default;
 * - `all`: every collector on both sides (`--collect.all` / every `--collect.X` the reference knows);
 * - `over`: ours with `--collect.info_schema.tables.max_series=BIG_OVER_SERIES` (default 50,000 =
 *   10,000 tables), the subset path.
 * Per scenario and side: scrape seconds (median of BIG_SCRAPES, default 3), series, response MiB,
 * RSS after the scrapes and peak RSS (VmHWM), failed collectors, rows dropped. Run:
 *   node --import tsx bench/big-schema.ts
 * The table goes to stdout (and bench/results/big-schema.txt), progress to stderr.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { ReferenceExporter } from '../test/helpers/reference-exporter.js';
import { USERS, createFixtures, createUsers, removeTempDirs, startBenchDb } from './lib/db.js';
import { log } from './lib/log.js';
import { ExporterProcess, buildOurs, referencePath, writeCnf } from './lib/proc.js';

const num = (name: string, def: number) => {
  const v = process.env[name];
  return v === undefined || v === '' ? def : Number(v);
};
const TABLES = num('BIG_TABLES', 20_000);
const SCRAPES = num('BIG_SCRAPES', 3);
const OVER_SERIES = num('BIG_OVER_SERIES', 50_000);
const SCENARIOS = new Set((process.env.BIG_SCENARIOS ?? 'tables,all,over').split(','));

interface Row {
  readonly scenario: string;
  readonly side: string;
  readonly seconds: number;
  readonly series: number;
  readonly mib: number;
  readonly rssMiB: number;
  readonly hwmMiB: number;
  readonly failed: string;
  readonly dropped: string;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function measure(scenario: string, p: ExporterProcess): Promise<Row> {
  const times: number[] = [];
  let body = '';
  for (let i = 0; i < SCRAPES; i++) {
    const t0 = performance.now();
    const r = await fetch(`${p.url}/metrics`, {
      headers: { 'Accept-Encoding': 'identity', 'X-Prometheus-Scrape-Timeout-Seconds': '300' },
    });
    body = await r.text();
    times.push((performance.now() - t0) / 1000);
  }
  const mem = p.memory();
  const series = body.split('\n').filter((l) => l.length > 0 && !l.startsWith('#')).length;
  const ours = [...body.matchAll(/^mysql_exporter_collector_success\{collector="collect\.([^"]+)"\} 0$/gm)];
  const theirs = [
    ...body.matchAll(/^mysql_exporter_scrape_errors_total\{collector="collect\.([^"]+)"\} [1-9]/gm),
  ];
  const dropped = [
    ...body.matchAll(/^mysql_exporter_collector_rows_dropped\{collector="collect\.([^"]+)"\} ([1-9]\d*)$/gm),
  ];
  return {
    scenario,
    side: p.side,
    seconds: median(times),
    series,
    mib: Buffer.byteLength(body) / 1048576,
    rssMiB: mem.rssMiB,
    hwmMiB: mem.hwmMiB,
    failed: [...ours, ...theirs].map((m) => m[1]).join(' ') || '-',
    dropped: dropped.map((m) => `${m[1]}=${m[2]}`).join(' ') || '-',
  };
}

async function main(): Promise<void> {
  const ref = referencePath();
  if (!ref) throw new Error('prometheus-mysqld-exporter is not installed');
  const entry = buildOurs();
  log(`starting MariaDB for ${TABLES} tables`);
  const db = await startBenchDb({ tables: TABLES, probeTargets: 0 });
  const rows: Row[] = [];
  try {
    await createUsers(db);
    const t0 = Date.now();
    await createFixtures(db, TABLES);
    log(`${TABLES} tables created in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    const ourCnf = writeCnf(db.port, USERS.ours.user, USERS.ours.password);
    const theirCnf = writeCnf(db.port, USERS.theirs.user, USERS.theirs.password);
    const run = async (scenario: string, side: 'ours' | 'theirs', args: string[]) => {
      log(`${scenario}: ${side}`);
      const p = await ExporterProcess.start(
        side,
        side === 'ours' ? entry : ref,
        side === 'ours' ? ourCnf : theirCnf,
        args,
      );
      try {
        rows.push(await measure(scenario, p));
      } finally {
        await p.stop();
      }
    };
    if (SCENARIOS.has('tables')) {
      await run('tables', 'ours', ['--collect.info_schema.tables', '--exporter.scrape_timeout=300s']);
      await run('tables', 'theirs', ['--collect.info_schema.tables']);
    }
    if (SCENARIOS.has('all')) {
      await run('all', 'ours', ['--collect.all', '--exporter.scrape_timeout=300s']);
      await run(
        'all',
        'theirs',
        ReferenceExporter.collectorFlags().map((f) => `--${f}`),
      );
    }
    if (SCENARIOS.has('over')) {
      await run(`over (max_series=${OVER_SERIES})`, 'ours', [
        '--collect.info_schema.tables',
        '--exporter.scrape_timeout=300s',
        `--collect.info_schema.tables.max_series=${OVER_SERIES}`,
      ]);
    }
  } finally {
    await db.destroy();
    removeTempDirs();
  }
  const lines = [
    `${TABLES} InnoDB tables (+ sys views), median of ${SCRAPES} scrapes, uncompressed`,
    '| scenario | side | scrape s | series | MiB | RSS MiB | peak RSS MiB | failed collectors | rows dropped |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.scenario} | ${r.side} | ${r.seconds.toFixed(2)} | ${r.series} | ${r.mib.toFixed(1)} | ${r.rssMiB.toFixed(0)} | ${r.hwmMiB.toFixed(0)} | ${r.failed} | ${r.dropped} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/big-schema.txt', import.meta.url), `${lines.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
