/**
 * Line-level reader for MySQL option files: section headers, `key = value` / bare `key` lines, comments,
 * quotes. It knows nothing about what keys mean (see my-cnf.ts).
 *
 * Lines in sections the caller does not care about (`[mysqld]`, `[mysql]`, ...) are skipped without being
 * checked, so a full server my.cnf with exotic server options is fine. Problems never quote a value, and
 * never a key that is not a plain option name, because a misplaced password may sit where a key should be.
 */
import type { ConfigProblem } from '../errors.js';

/** One `key = value` or bare `key` line in a section the caller asked for. */
export interface CnfLine {
  readonly line: number;
  /** As written, trimmed; always matches OPTION_NAME. */
  readonly rawKey: string;
  /** Unquoted, not yet env-expanded; undefined for a bare key (`skip-ssl`). */
  readonly value: string | undefined;
}

export interface CnfSection {
  /** Normalised by the caller's `sectionName` (e.g. `client`, `client.replica`). */
  readonly name: string;
  /** Line of the header. */
  readonly line: number;
  readonly lines: readonly CnfLine[];
}

export interface LexResult {
  /** In file order; a name repeated in the file appears once per header. */
  readonly sections: readonly CnfSection[];
  readonly errors: readonly ConfigProblem[];
  readonly warnings: readonly ConfigProblem[];
}

/** What an option name may look like; anything else on the left of `=` is reported without being quoted. */
export const OPTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

const SECTION_NAME = /^[^\s[\]\p{Cc}]{1,200}$/u;

/** ASCII whitespace only, as the MySQL client does: a password may end with a non-ASCII space. */
export function trimAscii(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isAsciiSpace(s.charCodeAt(a))) a++;
  while (b > a && isAsciiSpace(s.charCodeAt(b - 1))) b--;
  return s.slice(a, b);
}

function isAsciiSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0b || c === 0x0c;
}

export type QuoteResult = { readonly value: string; readonly unbalanced: boolean };

/**
 * `"..."`: outer quotes removed, `\"` -> `"` and `\\` -> `\` (any other backslash is kept).
 * `'...'`: outer quotes removed, nothing else changes.
 * Anything else is literal. A value that starts with a quote but does not end with the same quote is
 * literal too (as in the MySQL client) and flagged `unbalanced` so the caller can warn.
 */
export function unquote(raw: string): QuoteResult {
  const first = raw[0];
  if (first !== '"' && first !== "'") return { value: raw, unbalanced: false };
  if (raw.length < 2 || raw[raw.length - 1] !== first) return { value: raw, unbalanced: true };
  const inner = raw.slice(1, -1);
  if (first === "'") return { value: inner, unbalanced: false };
  return { value: inner.replace(/\\(["\\])/g, '$1'), unbalanced: false };
}

export interface LexOptions {
  readonly source: string;
  /** The canonical name of a section header's inner text, or undefined to skip its lines. */
  readonly sectionName: (header: string) => string | undefined;
}

export function lexMyCnf(text: string, opts: LexOptions): LexResult {
  const { source } = opts;
  const errors: ConfigProblem[] = [];
  const warnings: ConfigProblem[] = [];
  const sections: CnfSection[] = [];
  let current: { name: string; line: number; lines: CnfLine[] } | undefined;
  let inIgnored = false;

  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = trimAscii(lines[i]!);
    if (line.length === 0 || line[0] === '#' || line[0] === ';') continue;

    if (line[0] === '!') {
      errors.push({
        source,
        line: lineNo,
        message: /^!include(dir)?\b/i.test(line)
          ? '!include and !includedir are not supported; put the [client] sections in this file ' +
            '(mysqld_exporter ignores these lines without a word)'
          : 'unknown directive (lines starting with ! are directives)',
      });
      continue;
    }

    if (line[0] === '[') {
      const close = line.indexOf(']');
      const rest = close < 0 ? '' : trimAscii(line.slice(close + 1));
      const inner = close < 0 ? '' : trimAscii(line.slice(1, close));
      if (close < 0 || (rest.length > 0 && rest[0] !== '#' && rest[0] !== ';') || !SECTION_NAME.test(inner)) {
        errors.push({ source, line: lineNo, message: 'malformed section header; expected [name]' });
        current = undefined;
        inIgnored = true;
        continue;
      }
      const name = opts.sectionName(inner);
      if (name === undefined) {
        current = undefined;
        inIgnored = true;
        continue;
      }
      current = { name, line: lineNo, lines: [] };
      inIgnored = false;
      sections.push(current);
      continue;
    }

    if (inIgnored) continue;

    const eq = line.indexOf('=');
    const rawKey = trimAscii(eq < 0 ? line : line.slice(0, eq));
    const wellFormed = OPTION_NAME.test(rawKey);
    if (!current) {
      errors.push({
        source,
        line: lineNo,
        message: 'option before the first [section] header (it would belong to no section)',
      });
      continue;
    }
    if (!wellFormed) {
      errors.push({
        source,
        line: lineNo,
        message: 'malformed line; expected "key = value", "[section]" or a comment starting with # or ;',
      });
      continue;
    }
    if (eq < 0) {
      current.lines.push({ line: lineNo, rawKey, value: undefined });
      continue;
    }
    const q = unquote(trimAscii(line.slice(eq + 1)));
    if (q.unbalanced) {
      warnings.push({
        source,
        line: lineNo,
        key: rawKey,
        message:
          'value starts with a quote but does not end with the same quote, so it is taken literally ' +
          '(inline comments are not supported; wrap a value that starts with a quote in the other quote)',
      });
    }
    current.lines.push({ line: lineNo, rawKey, value: q.value });
  }
  return { sections, errors, warnings };
}
