/**
 * The flag table's plain types: what a flag is (name, kind, default, help) and the parsed values by
 * name. In the leaf because the collector contract (collector.ts) declares its option flags with them;
 * the parser, `--help` and the typed accessors are in src/config/flags.ts.
 */
export type FlagKind = 'bool' | 'string' | 'int' | 'float' | 'duration' | 'strings' | 'enum';
export type FlagValue = boolean | string | number | readonly string[];

export interface FlagSpec {
  readonly name: string;
  readonly kind: FlagKind;
  readonly help: string;
  /** Seconds for durations. */
  readonly default: FlagValue;
  readonly choices?: readonly string[];
  readonly min?: number;
  /** Shown as the placeholder in --help. */
  readonly placeholder?: string;
}

export type FlagValues = ReadonlyMap<string, FlagValue>;
