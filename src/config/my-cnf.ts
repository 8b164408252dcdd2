/**
 * MySQL option files (`.my.cnf`) as mysqld_exporter uses them, read by the MySQL client's own rules:
 * one auth module per `[client]` / `[client.<name>]` group, or one ConfigError listing every problem
 * with file, line and key (never a value). User guide: docs/my-cnf.md.
 *
 * Three jobs, three modules: syntax of one file (my-cnf-lexer.ts), reading files and their
 * `!include` / `!includedir` (my-cnf-files.ts), meaning of groups and keys (my-cnf-semantics.ts). This
 * module only composes them.
 */
import * as fsp from 'node:fs/promises';
import { ConfigError, type ConfigProblem } from '../errors.js';
import type { Env } from './my-cnf-expand.js';
import {
  checkReferencedFiles,
  describeReferencedFile,
  type MyCnfFs,
  readOptionFiles,
} from './my-cnf-files.js';
import { lexMyCnf } from './my-cnf-lexer.js';
import { passwordFilesUnread, readPasswordFiles } from './my-cnf-managed.js';
import { type AuthModule, type MyCnfDefaults, resolveAuthModules } from './my-cnf-semantics.js';

export type { Env } from './my-cnf-expand.js';
export { MAX_MY_CNF_BYTES, type MyCnfFs } from './my-cnf-files.js';
export {
  type AuthModule,
  DEFAULT_AUTH_MODULE,
  type MyCnfDefaults,
  PASSWORD_ENV,
} from './my-cnf-semantics.js';

export interface MyCnfOptions {
  /** Names the file in problems; TLS and key paths resolve against its directory. */
  readonly path: string;
  /** Source of `${VAR}` expansion and of MYSQLD_EXPORTER_PASSWORD. */
  readonly env: Env;
  readonly defaults?: MyCnfDefaults;
}

export interface MyCnf {
  /** By section name, `client` first, then in file order. */
  readonly modules: ReadonlyMap<string, AuthModule>;
  readonly warnings: readonly ConfigProblem[];
}

/**
 * Parses option-file text (no file access: an `!include` line is an error here). Throws one
 * ConfigError listing every problem (file, line, key; never a value); warnings come back.
 */
export function parseMyCnf(text: string, opts: MyCnfOptions): MyCnf {
  const lexed = lexMyCnf(new TextEncoder().encode(text), opts.path);
  const includes: ConfigProblem[] = lexed.items
    .filter((i) => i.kind === 'include' || i.kind === 'includedir')
    .map((i) => ({
      source: opts.path,
      line: i.line,
      message: `!${i.kind} is only followed in files (loadMyCnf)`,
    }));
  const items = lexed.items.map((i) => ({ ...i, source: opts.path }));
  const r = resolveAuthModules(items, opts);
  const errors = [
    ...lexed.errors,
    ...includes,
    ...r.errors,
    ...passwordFilesUnread(opts.path, r.passwordFiles),
  ];
  if (errors.length > 0) throw new ConfigError(errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
  return Object.freeze({ modules: r.modules, warnings: Object.freeze([...lexed.warnings, ...r.warnings]) });
}

export interface LoadMyCnfOptions {
  readonly env: Env;
  readonly defaults?: MyCnfDefaults;
  /**
   * A missing file reads as empty, so [client] comes from the flags and MYSQLD_EXPORTER_PASSWORD alone
   * (mysqld_exporter's behaviour for its default `$HOME/.my.cnf`). Use it when the path was not given
   * explicitly.
   */
  readonly optional?: boolean;
  readonly fs?: MyCnfFs;
  /** Base of relative `!include` paths (the MySQL client's rule): the working directory by default. */
  readonly cwd?: string;
}

/**
 * Reads an option file and what it includes, then checks that every TLS / public-key file it names can
 * be read (problems name the key and line, never the path or its contents).
 */
export async function loadMyCnf(path: string, opts: LoadMyCnfOptions): Promise<MyCnf> {
  const read = await readOptionFiles(path, {
    ...(opts.optional ? { optional: true } : {}),
    ...(opts.fs ? { fs: opts.fs } : {}),
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
  const r = resolveAuthModules(read.items, {
    path,
    env: opts.env,
    ...(opts.defaults ? { defaults: opts.defaults } : {}),
  });
  const errors = [...read.errors, ...r.errors];
  if (errors.length === 0) errors.push(...(await checkReferencedFiles(r.files, opts.fs)));
  if (errors.length > 0) throw new ConfigError(errors);
  const modules = await readPasswordFiles(
    path,
    r.passwordFiles,
    r.modules,
    (p) => (opts.fs ?? fsp).readFile(p),
    describeReferencedFile,
  );
  return Object.freeze({ modules, warnings: Object.freeze([...read.warnings, ...r.warnings]) });
}
