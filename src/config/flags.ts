/**
 * Command-line flags in kingpin's style (mysqld_exporter's parser): `--name=value`, `--name value`,
 * `--name` / `--no-name` for booleans, repeatable list flags. The table of FlagSpecs is the single
 * source of truth: the parser, `--help` and the README's flag reference are all generated from it.
 */
import type { ConfigProblem } from '../errors.js';
import type { FlagKind, FlagSpec, FlagValue, FlagValues } from '../model/flags.js';

/** The value type of a flag kind. */
export type FlagValueOf<K extends FlagKind> = K extends 'bool'
  ? boolean
  : K extends 'strings'
    ? readonly string[]
    : K extends 'string' | 'enum'
      ? string
      : number;

/** A flag declared once: its spec (parser, --help, README reference) and its typed accessor. */
export interface Flag<K extends FlagKind = FlagKind> extends FlagSpec {
  readonly kind: K;
  get(values: FlagValues): FlagValueOf<K>;
}

/** Declares a flag with its typed accessor (reading the value by the spec's own name and kind). */
export function flag<K extends FlagKind>(spec: FlagSpec & { readonly kind: K }): Flag<K> {
  const read = (values: FlagValues): FlagValue => {
    switch (spec.kind) {
      case 'bool':
        return flagBool(values, spec.name);
      case 'strings':
        return flagStrings(values, spec.name);
      case 'string':
      case 'enum':
        return flagString(values, spec.name);
      default:
        return flagNumber(values, spec.name);
    }
  };
  return { ...spec, get: (values) => read(values) as FlagValueOf<K> };
}

/** Typed values of a set of declared flags, by the same keys. */
export type FlagValuesOf<F extends Readonly<Record<string, Flag>>> = {
  readonly [P in keyof F]: F[P] extends Flag<infer K> ? FlagValueOf<K> : never;
};

export interface ParsedFlags {
  readonly values: FlagValues;
  /** Flags given explicitly on the command line. */
  readonly explicit: ReadonlySet<string>;
  readonly help: boolean;
  readonly version: boolean;
  readonly problems: readonly ConfigProblem[];
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;

/** Parses `250ms`, `2s`, `1.5`, `5m`, `1h` into seconds. */
export function parseDuration(s: string): number | undefined {
  const m = DURATION.exec(s.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const factor = unit === 'ms' ? 0.001 : unit === 'm' ? 60 : unit === 'h' ? 3600 : 1;
  return n * factor;
}

function convert(spec: FlagSpec, raw: string): { value: FlagValue } | { error: string } {
  switch (spec.kind) {
    case 'bool': {
      const v = raw.toLowerCase();
      if (v === 'true' || v === '1') return { value: true };
      if (v === 'false' || v === '0') return { value: false };
      return { error: `expected true or false, got ${JSON.stringify(raw)}` };
    }
    case 'int': {
      if (!/^-?\d+$/.test(raw)) return { error: `expected an integer, got ${JSON.stringify(raw)}` };
      const n = Number(raw);
      if (spec.min !== undefined && n < spec.min) return { error: `must be at least ${spec.min}` };
      return { value: n };
    }
    case 'float': {
      if (!/^-?\d+(\.\d+)?$/.test(raw)) return { error: `expected a number, got ${JSON.stringify(raw)}` };
      const n = Number(raw);
      if (spec.min !== undefined && n < spec.min) return { error: `must be at least ${spec.min}` };
      return { value: n };
    }
    case 'duration': {
      const n = parseDuration(raw);
      if (n === undefined)
        return { error: `expected a duration like 2s or 500ms, got ${JSON.stringify(raw)}` };
      if (spec.min !== undefined && n < spec.min) return { error: `must be at least ${spec.min}s` };
      return { value: n };
    }
    case 'enum':
      if (!spec.choices?.includes(raw))
        return { error: `expected one of ${spec.choices?.join(', ')}, got ${JSON.stringify(raw)}` };
      return { value: raw };
    default:
      return { value: raw };
  }
}

export function parseFlags(specs: readonly FlagSpec[], argv: readonly string[]): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values = new Map<string, FlagValue>(specs.map((s) => [s.name, s.default]));
  const explicit = new Set<string>();
  const lists = new Map<string, string[]>();
  const problems: ConfigProblem[] = [];
  let help = false;
  let version = false;
  const problem = (key: string, message: string) => problems.push({ source: 'command line', key, message });

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help' || arg === '--help-long' || arg === '--help-man') {
      help = true;
      continue;
    }
    if (arg === '--version') {
      version = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      problem(arg, 'unexpected argument (flags start with --)');
      continue;
    }
    const eq = arg.indexOf('=');
    let name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    let raw: string | undefined = eq >= 0 ? arg.slice(eq + 1) : undefined;
    let spec = byName.get(name);
    if (!spec && name.startsWith('no-') && raw === undefined) {
      const positive = byName.get(name.slice(3));
      if (positive?.kind === 'bool') {
        spec = positive;
        name = positive.name;
        raw = 'false';
      }
    }
    if (!spec) {
      problem(`--${name}`, 'unknown flag');
      continue;
    }
    if (raw === undefined) {
      if (spec.kind === 'bool') raw = 'true';
      else {
        const next = argv[i + 1];
        if (next === undefined || next.startsWith('--')) {
          problem(`--${name}`, 'needs a value');
          continue;
        }
        raw = next;
        i++;
      }
    }
    explicit.add(name);
    if (spec.kind === 'strings') {
      const list = lists.get(name) ?? [];
      list.push(raw);
      lists.set(name, list);
      continue;
    }
    const converted = convert(spec, raw);
    if ('error' in converted) problem(`--${name}`, converted.error);
    else values.set(name, converted.value);
  }
  for (const [name, list] of lists) values.set(name, list);
  return { values, explicit, help, version, problems };
}

export function renderHelp(specs: readonly FlagSpec[]): string {
  const lines = specs.map((s) => {
    const placeholder = s.kind === 'bool' ? '' : `=${s.placeholder ?? s.kind.toUpperCase()}`;
    const def =
      s.kind === 'strings'
        ? (s.default as readonly string[]).length > 0
          ? ` (default: ${(s.default as readonly string[]).join(', ')})`
          : ''
        : s.default === ''
          ? ''
          : ` (default: ${s.kind === 'duration' ? `${s.default}s` : String(s.default)})`;
    return `  --${s.kind === 'bool' ? '[no-]' : ''}${s.name}${placeholder}\n      ${s.help}${def}`;
  });
  return lines.join('\n');
}

/** Typed accessors; the spec table guarantees the kind, these guard against programming errors. */
export function flagBool(v: FlagValues, name: string): boolean {
  const x = v.get(name);
  if (typeof x !== 'boolean') throw new Error(`flag ${name} is not a boolean`);
  return x;
}
export function flagNumber(v: FlagValues, name: string): number {
  const x = v.get(name);
  if (typeof x !== 'number') throw new Error(`flag ${name} is not a number`);
  return x;
}
export function flagString(v: FlagValues, name: string): string {
  const x = v.get(name);
  if (typeof x !== 'string') throw new Error(`flag ${name} is not a string`);
  return x;
}
export function flagStrings(v: FlagValues, name: string): readonly string[] {
  const x = v.get(name);
  if (!Array.isArray(x)) throw new Error(`flag ${name} is not a list`);
  return x as readonly string[];
}
