/**
 * File I/O for option files: reads the file given to the exporter and, as the MySQL client does, the
 * files its `!include` / `!includedir` lines name (relative paths against the working directory; a
 * directory's `*.cnf` files in name order; at most 10 levels deep). Then checks that the TLS and key
 * files a configuration names can be read. Syntax: my-cnf-lexer.ts; meaning: my-cnf-semantics.ts.
 *
 * Problems name the file, and for referenced files the line and key, never a value or the contents.
 */
import { constants as fsConstants } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, type ConfigProblem } from '../errors.js';
import { type CnfItem, lexMyCnf } from './my-cnf-lexer.js';

/** Larger option files are refused unread. */
export const MAX_MY_CNF_BYTES = 1024 * 1024;
/** The client's limit: a directive in a file this deep is skipped with a warning. */
export const MAX_INCLUDE_DEPTH = 10;

/** The file-system calls the reader makes; node:fs/promises by default. */
export interface MyCnfFs {
  stat(path: string): Promise<{ isFile(): boolean; readonly size: number; readonly mode: number }>;
  readFile(path: string): Promise<Uint8Array>;
  access(path: string, mode: number): Promise<void>;
  /** Only needed for `!includedir`. */
  readdir?(path: string): Promise<string[]>;
}

/** A lexed item and the file it came from. */
export type SourcedItem = CnfItem & { readonly source: string };

export interface ReadOptions {
  /** A missing top-level file reads as empty. */
  readonly optional?: boolean;
  readonly fs?: MyCnfFs;
  /** Base of relative `!include` paths, as for the client: the working directory. */
  readonly cwd?: string;
}

export interface ReadResult {
  readonly items: readonly SourcedItem[];
  readonly errors: readonly ConfigProblem[];
  readonly warnings: readonly ConfigProblem[];
}

/** A file path a configuration will make the exporter read, and where it was set. */
export interface PathRef {
  readonly path: string;
  readonly source: string;
  readonly line: number | undefined;
  readonly key: string;
}

function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string')
    return err.code;
  return undefined;
}

function describeFsError(err: unknown): string {
  const code = errnoCode(err);
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'file not found';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory, not a file';
  return `cannot be read (${code ?? 'unknown error'})`;
}

export function describeReferencedFile(err: unknown): string {
  const code = errnoCode(err);
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'names a file that does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'names a file this process may not read';
  if (code === 'EISDIR') return 'names a directory, not a file';
  return `names a file that cannot be read (${code ?? 'unknown error'})`;
}

/** The first line that is not valid UTF-8, or undefined when the whole text is. */
function firstBadUtf8Line(bytes: Uint8Array): number | undefined {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return undefined;
  } catch {
    let line = 1;
    let start = 0;
    const strict = new TextDecoder('utf-8', { fatal: true });
    for (let i = 0; i <= bytes.length; i++) {
      if (i < bytes.length && bytes[i] !== 0x0a) continue;
      try {
        strict.decode(bytes.subarray(start, i));
      } catch {
        return line;
      }
      line++;
      start = i + 1;
    }
    return line - 1;
  }
}

class Reader {
  readonly items: SourcedItem[] = [];
  readonly errors: ConfigProblem[] = [];
  readonly warnings: ConfigProblem[] = [];
  private readonly fs: MyCnfFs;
  private readonly cwd: string;
  constructor(opts: ReadOptions) {
    this.fs = opts.fs ?? fsp;
    this.cwd = opts.cwd ?? process.cwd();
  }

  /** Reads one file. `from` is the directive that named it (undefined for the top-level file). */
  async file(path: string, depth: number, from: ConfigProblem | undefined, optional: boolean): Promise<void> {
    const problem = (message: string, line?: number): ConfigProblem => ({
      source: path,
      ...(line === undefined ? {} : { line }),
      message,
    });
    let st: Awaited<ReturnType<MyCnfFs['stat']>>;
    try {
      st = await this.fs.stat(path);
    } catch (err) {
      const code = errnoCode(err);
      if (optional && (code === 'ENOENT' || code === 'ENOTDIR')) return;
      if (from) {
        // The client skips an included file it cannot open; we say so.
        this.warnings.push({ ...from, message: `${from.message}: ${describeFsError(err)}; skipped` });
        return;
      }
      this.errors.push(problem(describeFsError(err)));
      return;
    }
    if (!st.isFile()) {
      this.errors.push(problem('is not a regular file'));
      return;
    }
    if ((st.mode & 0o002) !== 0) {
      if (from) {
        this.warnings.push(
          problem(
            'is writable by every user of this host; the MySQL client ignores such files, and so do we',
          ),
        );
      } else {
        this.errors.push(
          problem('is writable by every user of this host (the MySQL client ignores it); chmod 600 it'),
        );
      }
      return;
    }
    if (st.size > MAX_MY_CNF_BYTES) {
      this.errors.push(problem(`is larger than ${MAX_MY_CNF_BYTES} bytes`));
      return;
    }
    let bytes: Uint8Array;
    try {
      bytes = await this.fs.readFile(path);
    } catch (err) {
      this.errors.push(problem(describeFsError(err)));
      return;
    }
    if (bytes.length > MAX_MY_CNF_BYTES) {
      this.errors.push(problem(`is larger than ${MAX_MY_CNF_BYTES} bytes`));
      return;
    }
    const bad = firstBadUtf8Line(bytes);
    if (bad !== undefined) {
      this.errors.push(problem('is not valid UTF-8 (save the file as UTF-8)', bad));
      return;
    }
    if ((st.mode & 0o004) !== 0)
      this.warnings.push(
        problem('is readable by every user of this host and may hold a password; chmod 600 it'),
      );

    const lexed = lexMyCnf(bytes, path);
    this.errors.push(...lexed.errors);
    this.warnings.push(...lexed.warnings);
    for (const item of lexed.items) {
      if (item.kind !== 'include' && item.kind !== 'includedir') {
        this.items.push({ ...item, source: path });
        continue;
      }
      const at: ConfigProblem = { source: path, line: item.line, message: `!${item.kind}` };
      if (depth + 1 > MAX_INCLUDE_DEPTH) {
        this.warnings.push({
          ...at,
          message: `!${item.kind} nested more than ${MAX_INCLUDE_DEPTH} deep; skipped`,
        });
        continue;
      }
      const target = resolve(this.cwd, item.path);
      if (item.kind === 'include') {
        await this.file(
          target,
          depth + 1,
          { ...at, message: '!include names a file that cannot be read' },
          false,
        );
        continue;
      }
      let names: string[];
      try {
        names = await (this.fs.readdir ?? fsp.readdir)(target);
      } catch (err) {
        // The client stops with a fatal error when the directory cannot be listed.
        this.errors.push({ ...at, message: `!includedir: ${describeFsError(err)} (the directory)` });
        continue;
      }
      const files = names
        .filter((n) => n.endsWith('.cnf'))
        .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      for (const n of files) {
        await this.file(
          join(target, n),
          depth + 1,
          { ...at, message: '!includedir: a file cannot be read' },
          false,
        );
      }
    }
  }
}

/**
 * Reads an option file and the files it includes, lexed, in the order the client reads them. Throws a
 * ConfigError for a broken top-level file (missing unless optional, not a file, too large, not UTF-8);
 * problems inside files come back with the result.
 */
export async function readOptionFiles(path: string, opts: ReadOptions = {}): Promise<ReadResult> {
  const r = new Reader(opts);
  await r.file(path, 0, undefined, opts.optional === true);
  const top = r.errors.filter((e) => e.source === path && e.line === undefined);
  if (top.length > 0) throw new ConfigError(top);
  return { items: r.items, errors: r.errors, warnings: r.warnings };
}

/**
 * Checks that every file a configuration names can be read. Problems name the line and key, never the
 * path or its contents.
 */
export async function checkReferencedFiles(
  refs: readonly PathRef[],
  fs: MyCnfFs = fsp,
): Promise<ConfigProblem[]> {
  const problems: ConfigProblem[] = [];
  const checked = new Set<string>();
  for (const ref of refs) {
    const id = `${ref.source}|${ref.line}|${ref.key}`;
    if (checked.has(id)) continue;
    checked.add(id);
    try {
      const s = await fs.stat(ref.path);
      if (!s.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
      await fs.access(ref.path, fsConstants.R_OK);
    } catch (err) {
      problems.push({
        source: ref.source,
        ...(ref.line === undefined ? {} : { line: ref.line }),
        key: ref.key,
        message: `${describeReferencedFile(err)}; relative paths resolve against ${dirname(resolve(ref.source))}`,
      });
    }
  }
  return problems;
}
