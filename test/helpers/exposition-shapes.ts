import { readFileSync } from 'node:fs';

/**
 * Family shapes of a text exposition (name -> type, the union of label names with le/quantile aside,
 * sample count), and what one exposition lacks or shapes differently from another.
 */
export interface FamilyShape {
  readonly type: string;
  readonly labels: ReadonlySet<string>;
  readonly samples: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? /;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="/g;

export function parseFamilyShapes(text: string): Map<string, FamilyShape> {
  const types = new Map<string, string>();
  const labels = new Map<string, Set<string>>();
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      if (name && type) {
        types.set(name, type);
        labels.set(name, labels.get(name) ?? new Set());
      }
      continue;
    }
    if (line.startsWith('#') || line.length === 0) continue;
    const m = SAMPLE.exec(line);
    if (!m) continue;
    let name = m[1]!;
    for (const suffix of ['_bucket', '_sum', '_count']) {
      const base = name.slice(0, -suffix.length);
      if (name.endsWith(suffix) && ['histogram', 'summary'].includes(types.get(base) ?? '')) name = base;
    }
    const set = labels.get(name) ?? new Set<string>();
    for (const l of (m[2] ?? '').matchAll(LABEL)) if (l[1] !== 'le' && l[1] !== 'quantile') set.add(l[1]!);
    labels.set(name, set);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const out = new Map<string, FamilyShape>();
  for (const [name, set] of labels) {
    out.set(name, { type: types.get(name) ?? 'untyped', labels: set, samples: counts.get(name) ?? 0 });
  }
  return out;
}

export interface FamilyDiff {
  readonly missing: string[];
  readonly typeMismatch: string[];
  readonly labelMismatch: string[];
}

/** What `reference` emits that `ours` lacks or shapes differently (families matching `ignore` aside). */
export function diffFamilyShapes(
  reference: string,
  ours: string,
  ignore: (name: string) => boolean,
): FamilyDiff {
  const theirs = parseFamilyShapes(reference);
  const mine = parseFamilyShapes(ours);
  const diff: FamilyDiff = { missing: [], typeMismatch: [], labelMismatch: [] };
  for (const [name, shape] of theirs) {
    if (ignore(name)) continue;
    const o = mine.get(name);
    if (!o) {
      diff.missing.push(name);
      continue;
    }
    if (o.type !== shape.type) diff.typeMismatch.push(`${name}: ${shape.type} vs ours ${o.type}`);
    const a = [...shape.labels].sort().join(',');
    const b = [...o.labels].sort().join(',');
    if (a !== b) diff.labelMismatch.push(`${name}: {${a}} vs ours {${b}}`);
  }
  return diff;
}

/** Families named (in backticks) in the "Families" section of docs/compatibility.md: intended differences. */
export function documentedDifferences(): Set<string> {
  const doc = readFileSync(new URL('../../docs/compatibility.md', import.meta.url), 'utf8');
  const section = doc.split(/^## /m).find((s) => s.startsWith('Families'));
  if (!section) throw new Error('docs/compatibility.md has no "## Families" section');
  return new Set([...section.matchAll(/`([a-zA-Z_:][a-zA-Z0-9_:]*)`/g)].map((m) => m[1]!));
}
