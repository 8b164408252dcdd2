/**
 * The import direction of src/ (docs/architecture.md): every relative import of every source file,
 * `import type` included, read from the files themselves. A module may import its own layer or a lower
 * one, never a higher one, and neither files nor folders may import each other in a loop.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const SRC = resolve(import.meta.dirname, '../../src');

/** Lowest first. A folder is named with its slash; a top-level file by its name. */
const LAYERS: ReadonlyArray<readonly string[]> = [
  ['model/'],
  ['errors.ts', 'log/', 'version.ts', 'runtime/', 'lru.ts'],
  ['db/'],
  ['config/'],
  ['collectors/', 'declarative/'],
  ['scrape/', 'exposition/'],
  ['exporter.ts'],
  ['http/'],
  ['assemble.ts'],
  ['server.ts', 'embed.ts'],
  ['main.ts'],
  ['cli.ts', 'index.ts'],
];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (name.endsWith('.ts')) out.push(relative(SRC, p));
  }
  return out;
}

/** The part of src/ a file belongs to: its top folder (`scrape/`) or, at the top, the file itself. */
function unit(file: string): string {
  const slash = file.indexOf('/');
  return slash < 0 ? file : file.slice(0, slash + 1);
}

function rank(file: string): number {
  const u = unit(file);
  const r = LAYERS.findIndex((layer) => layer.includes(u));
  assert.notEqual(r, -1, `${file} belongs to no layer: add ${u} to LAYERS and to docs/architecture.md`);
  return r;
}

/** Relative imports of one file (static, `import type`, re-exports and dynamic), as src/ paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)'(\.{1,2}\/[^']+)'/g)) {
    const target = relative(SRC, resolve(dirname(join(SRC, file)), m[1]!)).replace(/\.js$/, '.ts');
    out.push(target);
  }
  return out;
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));

/** A cycle in `edges`, as a path, or undefined. */
function findCycle(edges: ReadonlyMap<string, ReadonlySet<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'open') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'open');
    stack.push(n);
    for (const m of edges.get(n) ?? []) {
      const c = visit(m);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of edges.keys()) {
    const c = visit(n);
    if (c) return c;
  }
  return undefined;
}

test('every import resolves to a source file', () => {
  for (const [file, imports] of graph)
    for (const target of imports) assert.ok(graph.has(target), `${file} imports ${target}, not in src/`);
});

test('imports point down the layers: entry points -> http -> scrape -> db/collectors/declarative -> model', () => {
  const upward: string[] = [];
  for (const [file, imports] of graph)
    for (const target of imports) if (rank(target) > rank(file)) upward.push(`${file} -> ${target}`);
  assert.deepEqual(upward, []);
});

test('model/ imports nothing of ours', () => {
  for (const [file, imports] of graph)
    if (unit(file) === 'model/')
      for (const target of imports) assert.equal(unit(target), 'model/', `${file} imports ${target}`);
});

test('no import loop between files', () => {
  const edges = new Map([...graph].map(([f, imports]) => [f, new Set(imports)]));
  assert.equal(findCycle(edges)?.join(' -> '), undefined);
});

test('no import loop between folders', () => {
  const edges = new Map<string, Set<string>>();
  for (const [file, imports] of graph) {
    const from = unit(file);
    const set = edges.get(from) ?? new Set<string>();
    edges.set(from, set);
    for (const target of imports) if (unit(target) !== from) set.add(unit(target));
  }
  assert.equal(findCycle(edges)?.join(' -> '), undefined);
});
