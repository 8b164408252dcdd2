/**
 * Reads every `*.yaml` / `*.yml` file directly in each directory (sorted by name; sub-directories
 * are not read), parses and cross-checks them, and returns collector definitions to register next to
 * the hand-written ones, or throws one ConfigError with every problem. Holds no state: calling it
 * again (reload) reads everything afresh, and a failed call leaves the caller's current set in use.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CollectorDef } from '../model/collector.js';
import { ConfigError, type ConfigProblem } from '../errors.js';
import { createQueryCollector, type QueryCollectorOptions } from './collector.js';
import { crossCheck } from './cross-check.js';
import { parseQueryFile } from './parse-spec.js';
import type { QuerySpec } from './spec.js';

export interface LoadOptions {
  /** Names of hand-written collectors: a query file may not reuse them. */
  readonly reservedCollectorNames?: Iterable<string>;
  /** Metric names hand-written collectors export: a query file may not reuse them. */
  readonly reservedMetricNames?: Iterable<string>;
}

export interface LoadedQueries {
  /** Every file read, in load order. */
  readonly files: readonly string[];
  readonly specs: readonly QuerySpec[];
  /** One definition per spec; `create()` builds a collector with a fresh cache. */
  readonly collectors: readonly CollectorDef[];
}

/** Larger than any sane query file; a guard against pointing --queries.dir at the wrong place. */
export const MAX_FILE_BYTES = 1024 * 1024;

const QUERY_FILE = /\.ya?ml$/i;

function fsReason(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'does not exist';
  if (code === 'ENOTDIR') return 'is not a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return typeof code === 'string' ? code : 'unreadable';
}

async function listDir(dir: string, problems: ConfigProblem[]): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    const files: string[] = [];
    for (const e of entries) {
      if (!QUERY_FILE.test(e.name)) continue;
      const path = join(dir, e.name);
      // Follow symlinks (ConfigMaps mount files as links); skip directories named *.yaml.
      const isFile =
        e.isFile() || (e.isSymbolicLink() && (await stat(path).catch(() => undefined))?.isFile());
      if (isFile) files.push(path);
    }
    return files.sort();
  } catch (err) {
    problems.push({ source: dir, message: `cannot read the query directory: ${fsReason(err)}` });
    return [];
  }
}

async function readQueryFile(path: string, problems: ConfigProblem[]): Promise<string | undefined> {
  try {
    const s = await stat(path);
    if (s.size > MAX_FILE_BYTES) {
      problems.push({ source: path, message: `larger than ${MAX_FILE_BYTES} bytes` });
      return undefined;
    }
    return await readFile(path, 'utf8');
  } catch (err) {
    problems.push({ source: path, message: `cannot read the file: ${fsReason(err)}` });
    return undefined;
  }
}

export function collectorDef(spec: QuerySpec, opts: QueryCollectorOptions = {}): CollectorDef {
  return {
    name: spec.name,
    help: spec.help,
    enabledByDefault: spec.enabledByDefault,
    create: () => createQueryCollector(spec, opts),
  };
}

export async function loadQueryFiles(
  dirs: readonly string[],
  opts: LoadOptions = {},
): Promise<LoadedQueries> {
  const problems: ConfigProblem[] = [];
  const seenDirs = new Set<string>();
  const files: string[] = [];
  for (const dir of dirs) {
    const abs = resolve(dir);
    if (seenDirs.has(abs)) continue;
    seenDirs.add(abs);
    files.push(...(await listDir(dir, problems)));
  }
  const specs: QuerySpec[] = [];
  for (const file of files) {
    const text = await readQueryFile(file, problems);
    if (text === undefined) continue;
    const parsed = parseQueryFile(file, text);
    problems.push(...parsed.problems);
    if (parsed.spec) specs.push(parsed.spec);
  }
  problems.push(
    ...crossCheck(specs, {
      collectors: new Set(opts.reservedCollectorNames ?? []),
      metrics: new Set(opts.reservedMetricNames ?? []),
    }),
  );
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    files,
    specs,
    collectors: specs.map((s) => collectorDef(s)),
  };
}
