/**
 * `node --import tsx bench/median.ts A.json B.json C.json [> OUT]`: the median of each figure over
 * several benchmark runs (results files of `npm run bench`, e.g. written with BENCH_OUT), as one
 * table with the ratios, and the goals evaluated on the medians.
 */
import { readFileSync } from 'node:fs';
import { type Figures, type ScenarioResult, table } from './lib/report.js';
import { median } from './lib/stats.js';

interface RunFile {
  readonly command: string;
  readonly started: string;
  readonly machine: string;
  readonly results: readonly ScenarioResult[];
  readonly goals: ReadonlyArray<{ goal: string; value?: number; limit?: number; met?: boolean }>;
}

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: bench/median.ts RUN.json...\n');
  process.exit(2);
}
const runs = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as RunFile);

function medianFigures(all: ReadonlyArray<Figures | undefined>): Figures | undefined {
  const present = all.filter((f): f is Figures => f !== undefined);
  if (present.length === 0) return undefined;
  const keys = new Set(present.flatMap((f) => Object.keys(f)));
  const out: Figures = {};
  for (const k of keys) {
    const values = present
      .map((f) => f[k])
      .filter((v): v is number => typeof v === 'number' && !Number.isNaN(v));
    out[k] = values.length > 0 ? median(values) : undefined;
  }
  return out;
}

const ids = runs[0]!.results.map((r) => r.id);
const merged: ScenarioResult[] = ids.map((id) => {
  const per = runs.map((r) => r.results.find((x) => x.id === id));
  const first = per[0]!;
  const theirs = medianFigures(per.map((p) => p?.theirs));
  const floor = medianFigures(per.map((p) => p?.floor));
  return {
    id,
    title: first.title,
    ours: medianFigures(per.map((p) => p?.ours)) ?? {},
    ...(theirs ? { theirs } : {}),
    ...(floor ? { floor } : {}),
    ...(first.notes ? { notes: first.notes } : {}),
  };
});

const goalNames = runs[0]!.goals.map((g) => g.goal);
const goalLines = goalNames.map((name) => {
  const vs = runs.map((r) => r.goals.find((g) => g.goal === name));
  const value = median(vs.map((g) => g?.value ?? Number.NaN).filter((v) => !Number.isNaN(v)));
  const limit = median(vs.map((g) => g?.limit ?? Number.NaN).filter((v) => !Number.isNaN(v)));
  const met =
    Number.isNaN(value) || Number.isNaN(limit)
      ? 'n/a '
      : name.includes('>=')
        ? value >= limit
          ? 'MET '
          : 'MISS'
        : value <= limit
          ? 'MET '
          : 'MISS';
  return `${met}  ${name}: ${Number.isNaN(value) ? '-' : value.toFixed(2)} (limit ${Number.isNaN(limit) ? '-' : limit.toFixed(2)})`;
});

process.stdout.write(
  [
    `# median of ${runs.length} runs: ${runs[0]!.command}`,
    ...runs.map((r) => `# ${r.started}: ${r.machine}`),
    '',
    table(merged),
    '',
    ...goalLines,
    ...merged.flatMap((r) => (r.notes ?? []).map((n) => `note (${r.id}): ${n}`)),
    '',
  ].join('\n'),
);
