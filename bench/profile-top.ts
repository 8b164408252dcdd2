/**
 * `node --import tsx bench/profile-top.ts FILE.cpuprofile [N]`: the functions with the most self
 * time, and the files (packages) with the most self time, from a `node --cpu-prof` profile (e.g.
 * from `BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=bench/profiles" npm run bench`).
 */
import { readFileSync } from 'node:fs';

interface Node {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly Node[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: bench/profile-top.ts FILE.cpuprofile [N]\n');
  process.exit(2);
}
const top = Number(topArg ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
profile.samples.forEach((id, i) => {
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);

const shortUrl = (url: string) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, 'npm:')
    .replace(/^.*\/(src|bench|test)\//, '$1/');
const fnKey = (n: Node) =>
  `${n.callFrame.functionName || '(anonymous)'} ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
const pkgKey = (n: Node) => {
  const u = shortUrl(n.callFrame.url);
  if (u.startsWith('npm:')) return u.split('/')[0]!;
  return u === '' ? n.callFrame.functionName : u;
};

function print(title: string, key: (n: Node) => string): void {
  const agg = new Map<string, number>();
  for (const [id, t] of self) {
    const n = byId.get(id);
    if (n) agg.set(key(n), (agg.get(key(n)) ?? 0) + t);
  }
  process.stdout.write(`\n${title} (total ${(total / 1000).toFixed(0)} ms)\n`);
  for (const [k, t] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, top))
    process.stdout.write(
      `${((100 * t) / total).toFixed(1).padStart(5)}%  ${(t / 1000).toFixed(0).padStart(7)} ms  ${k}\n`,
    );
}

/** Inclusive (self + callees) time by function; recursion counted once per stack. */
function printInclusive(title: string): void {
  const agg = new Map<string, number>();
  const walk = (id: number, onStack: ReadonlySet<string>): number => {
    const n = byId.get(id);
    if (!n) return 0;
    let t = self.get(id) ?? 0;
    const k = fnKey(n);
    const next = new Set(onStack).add(k);
    for (const c of n.children ?? []) t += walk(c, next);
    if (!onStack.has(k)) agg.set(k, (agg.get(k) ?? 0) + t);
    return t;
  };
  const root = profile.nodes[0];
  if (root) walk(root.id, new Set());
  process.stdout.write(`\n${title} (total ${(total / 1000).toFixed(0)} ms)\n`);
  for (const [k, t] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, top))
    process.stdout.write(
      `${((100 * t) / total).toFixed(1).padStart(5)}%  ${(t / 1000).toFixed(0).padStart(7)} ms  ${k}\n`,
    );
}

print('self time by function', fnKey);
print('self time by file or package', pkgKey);
printInclusive('inclusive time by function');

/** `--callers NAME`: self time of functions called NAME, by their caller chains (12 frames). */
const callersOf = process.argv.indexOf('--callers');
if (callersOf > 0) {
  const want = process.argv[callersOf + 1] ?? '';
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const agg = new Map<string, number>();
  for (const [id, t] of self) {
    const n = byId.get(id);
    if (!n || n.callFrame.functionName !== want) continue;
    const chain: string[] = [];
    let p = parent.get(id);
    while (p !== undefined && chain.length < 12) {
      const pn = byId.get(p);
      if (pn) chain.push(fnKey(pn));
      p = parent.get(p);
    }
    const k = chain.join(' < ');
    agg.set(k, (agg.get(k) ?? 0) + t);
  }
  process.stdout.write(`\ncallers of ${want}\n`);
  for (const [k, t] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, 10))
    process.stdout.write(`${(t / 1000).toFixed(0).padStart(7)} ms  ${k}\n`);
}
