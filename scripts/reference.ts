/**
 * The configuration reference in Markdown, generated from the flag table and the option-file key
 * table, so that the README cannot drift from the code (test/unit/config/reference.test.ts).
 */
import { BUILTIN_COLLECTORS } from '../src/collectors/index.js';
import type { CollectorDef } from '../src/model/collector.js';
import type { FlagSpec } from '../src/model/flags.js';
import { allFlagSpecs } from '../src/config/load.js';
import { MY_CNF_KEYS, MY_CNF_KEY_HELP } from '../src/config/my-cnf-keys.js';
import { WEB_CONFIG_KEYS, WEB_CONFIG_KEY_HELP } from '../src/http/web-config.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function defaultText(f: FlagSpec): string {
  if (f.kind === 'strings') {
    const list = f.default as readonly string[];
    return list.length === 0 ? '' : list.map((x) => `\`${x}\``).join(', ');
  }
  if (f.default === '') return '';
  if (f.kind === 'duration') return `\`${f.default}s\``;
  return `\`${String(f.default)}\``;
}

function flagRow(f: FlagSpec): string {
  const name = f.kind === 'bool' ? `--[no-]${f.name}` : `--${f.name}`;
  return `| \`${name}\` | ${f.kind === 'strings' ? 'list (repeatable)' : f.kind} | ${defaultText(f)} | ${cell(f.help)} |`;
}

/** Markdown for the flags (core flags, then one row per collector and its options). */
export function flagsReference(declarative: readonly CollectorDef[]): string {
  const specs = allFlagSpecs('$HOME', [...BUILTIN_COLLECTORS, ...declarative]);
  return ['| flag | type | default | meaning |', '|---|---|---|---|', ...specs.map(flagRow)].join('\n');
}

/** A two-column table of keys and what they mean. */
function keyTable(keys: readonly string[], help: Readonly<Record<string, string>>): string {
  return ['| key | meaning |', '|---|---|', ...keys.map((k) => `| \`${k}\` | ${cell(help[k] ?? '')} |`)].join(
    '\n',
  );
}

export function myCnfReference(): string {
  return keyTable(MY_CNF_KEYS, MY_CNF_KEY_HELP);
}

export function webConfigReference(): string {
  return keyTable(WEB_CONFIG_KEYS, WEB_CONFIG_KEY_HELP);
}

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->` in a document. */
export function replaceSection(doc: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) throw new Error(`section ${name} not found`);
  return `${doc.slice(0, i + start.length)}\n${body}\n${doc.slice(j)}`;
}
