/** The results table (ours, theirs, floor and the ratios) and the JSON results file. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';

/** os.loadavg() as the reports print it: "0.52 0.61 0.70". */
export const loads = (l: readonly number[]): string => l.map((x) => x.toFixed(2)).join(' ');

/** "load average … at start, … at end" for a run that began with os.loadavg() = `load0`. */
export const loadSpan = (load0: readonly number[]): string =>
  `load average ${loads(load0)} at start, ${loads(loadavg())} at end`;

/** One figure of one participant; undefined when not measured. */
export type Figures = Record<string, number | undefined>;

export interface ScenarioResult {
  readonly id: string;
  readonly title: string;
  readonly ours: Figures;
  readonly theirs?: Figures;
  readonly floor?: Figures;
  readonly notes?: readonly string[];
  /** The statements our exporter sent in one scrape (what the floor replays). */
  readonly statements?: readonly string[];
}

export interface Metric {
  readonly key: string;
  readonly label: string;
  readonly digits: number;
}

export const METRICS: readonly Metric[] = [
  { key: 'p50_ms', label: 'latency p50 (ms)', digits: 1 },
  { key: 'p90_ms', label: 'latency p90 (ms)', digits: 1 },
  { key: 'p99_ms', label: 'latency p99 (ms)', digits: 1 },
  { key: 'round_p50_ms', label: 'round of all targets p50 (ms)', digits: 1 },
  { key: 'throughput_per_s', label: 'throughput (scrapes/s)', digits: 1 },
  { key: 'errors', label: 'failed scrapes', digits: 0 },
  { key: 'cpu_ms_per_scrape', label: 'exporter CPU per scrape (ms)', digits: 2 },
  { key: 'client_cpu_ms_per_round', label: 'client CPU per round (ms, bench process)', digits: 2 },
  { key: 'connections_per_scrape', label: 'connections opened per scrape', digits: 2 },
  { key: 'statements_per_scrape', label: 'statements per scrape', digits: 1 },
  { key: 'statements_per_s', label: 'server statements/s (exporter)', digits: 0 },
  { key: 'peak_sessions', label: 'peak DB sessions', digits: 0 },
  { key: 'bytes_per_scrape', label: 'output bytes per scrape', digits: 0 },
  // scenario formats (bench/formats.ts)
  ...(['text', 'openmetrics', 'protobuf', 'protobufjs'] as const).flatMap((f) => [
    { key: `render_ms_${f}`, label: `render CPU, ${f} (ms)`, digits: 2 },
    { key: `render_gzip_ms_${f}`, label: `render + gzip CPU, ${f} (ms)`, digits: 2 },
    { key: `bytes_${f}`, label: `bytes, ${f}`, digits: 0 },
    { key: `gzip_bytes_${f}`, label: `gzip bytes, ${f}`, digits: 0 },
  ]),
  { key: 'rss_mib', label: 'RSS after (MiB)', digits: 1 },
  { key: 'peak_rss_mib', label: 'peak RSS (MiB)', digits: 1 },
];

function fmt(v: number | undefined, digits: number): string {
  if (v === undefined || Number.isNaN(v)) return '-';
  if (Math.abs(v) >= 100_000) return v.toExponential(2);
  return v.toFixed(digits);
}

function ratio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || Number.isNaN(a) || Number.isNaN(b) || b === 0) return '-';
  return `${(a / b).toFixed(2)}x`;
}

export function table(results: readonly ScenarioResult[]): string {
  const rows: string[][] = [['scenario', 'figure', 'ours', 'theirs', 'floor', 'ours/theirs', 'ours/floor']];
  for (const r of results) {
    let first = true;
    for (const m of METRICS) {
      const o = r.ours[m.key];
      const t = r.theirs?.[m.key];
      const f = r.floor?.[m.key];
      if (o === undefined && t === undefined && f === undefined) continue;
      rows.push([
        first ? r.id : '',
        m.label,
        fmt(o, m.digits),
        fmt(t, m.digits),
        fmt(f, m.digits),
        ratio(o, t),
        ratio(o, f),
      ]);
      first = false;
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const sep = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(rows[0]!), sep, ...rows.slice(1).map(line)].join('\n');
}

export function writeJson(path: string, data: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
}
