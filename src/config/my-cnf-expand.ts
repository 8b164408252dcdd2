/**
 * Environment expansion for option-file values, as mysqld_exporter's `os.ExpandEnv`, with two deliberate
 * differences so that a password containing `$` can be written at all:
 * - `${NAME}` and `$NAME` (NAME = `[A-Za-z_][A-Za-z0-9_]*`) expand; an unset variable expands to empty.
 * - `$$` is a literal `$` (Go expands it to the empty string).
 * - Any other `$` is kept literally (Go drops `$1`, `$?`, `${}` and `${bad name}`).
 */

export type Env = Readonly<Record<string, string | undefined>>;

export interface Expanded {
  readonly value: string;
  /** Names referenced but not set in the environment, in order of appearance, without repeats. */
  readonly unset: readonly string[];
}

const REFERENCE = /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;

export function expandEnv(value: string, env: Env): Expanded {
  if (!value.includes('$')) return { value, unset: [] };
  const unset: string[] = [];
  const out = value.replace(REFERENCE, (_m, dollar: string | undefined, braced?: string, bare?: string) => {
    if (dollar !== undefined) return '$';
    const name = braced ?? bare ?? '';
    const v = Object.hasOwn(env, name) ? env[name] : undefined;
    if (v === undefined) {
      if (!unset.includes(name)) unset.push(name);
      return '';
    }
    return v;
  });
  return { value: out, unset };
}
