/**
 * Syntax of one MySQL option file, byte for byte as the MySQL/MariaDB client reads it (mysys
 * my_default.c). It knows nothing about what groups or keys mean (my-cnf-semantics.ts) and reads no
 * file (my-cnf-files.ts). The rules, tested against `mariadb --print-defaults` in
 * test/integration/my-cnf-client.test.ts and written down in docs/my-cnf.md:
 *
 * - Lines end at LF only; "space" is the client's latin1 isspace: bytes 09-0D, 20 and A0. A line is
 *   trimmed on the left; empty lines and lines starting with `#` or `;` are comments.
 * - `!include PATH` / `!includedir DIR` (case-sensitive, `!` may be followed by spaces, the keyword by at
 *   least one space; the rest of the line, trimmed, is the path: no comment is stripped). Any other `!`
 *   line is ignored.
 * - `[name]`: the group is the text up to the first `]` with trailing spaces removed (leading spaces
 *   are part of the name); anything after `]` is ignored. A `[` without `]` is an error.
 * - Any other line is an option of the current group (an error before the first group). An unquoted `#`
 *   anywhere on it ends the line: a `'` or `"` opens a quoted part that the same quote closes, inside
 *   which `\` escapes the next character. `;` is an ordinary character here.
 * - The key is the text before the first `=`, trimmed; without `=`, the whole line is a bare key.
 * - The value is trimmed; then, when it is at least two characters long and starts and ends with the
 *   same quote, those two quotes are removed. Then, quoted or not, `\n \t \r \b \s \" \' \\` become
 *   newline, tab, CR, backspace, space, `"`, `'` and `\`; any other `\x` stays as is, and so does a
 *   final lone `\`.
 *
 * The text is handled as bytes (a latin1 string, one char per byte) so that the byte rules above are
 * exact; keys and values are decoded as UTF-8 afterwards. A value that is no longer valid UTF-8 (the
 * client cut an A0 byte off `à`, `Š`, ...) is flagged, never guessed at. Problems never quote a value.
 */
import type { ConfigProblem } from '../errors.js';

/** What an option name may look like for the exporter; anything else is reported without being quoted. */
export const OPTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

export interface CnfGroup {
  readonly kind: 'group';
  readonly line: number;
  /** UTF-8 decoded; undefined when not valid UTF-8. */
  readonly name: string | undefined;
  /** Text followed the closing `]` (ignored by the client). */
  readonly trailing: 'none' | 'comment' | 'text';
}

export interface CnfOption {
  readonly kind: 'option';
  readonly line: number;
  /** Group this option belongs to (as in CnfGroup.name); undefined for an invalid group name. */
  readonly group: string | undefined;
  /** Trimmed; undefined when not valid UTF-8. May be any text, e.g. a misplaced password. */
  readonly key: string | undefined;
  /** After unquoting and escapes; undefined for a bare key (`skip-ssl`). */
  readonly value: string | undefined;
  /** The value was not valid UTF-8 after the client's rules (the key is still reported). */
  readonly badValue: boolean;
  /** The value was wrapped in matching quotes. */
  readonly quoted: boolean;
  /**
   * An unquoted `#` ended the line after the `=`: `attached` when it directly followed a non-space
   * character or left the value empty (`abc#def`, `= #abc`: it looks like part of a password),
   * `spaced` otherwise (`abc   # note`).
   */
  readonly comment: 'attached' | 'spaced' | undefined;
  /** The value starts with a quote that it does not end with (taken literally, as the client does). */
  readonly unbalanced: boolean;
}

export interface CnfInclude {
  readonly kind: 'include' | 'includedir';
  readonly line: number;
  /** As written (UTF-8); relative paths resolve against the working directory, as in the client. */
  readonly path: string;
}

export type CnfItem = CnfGroup | CnfOption | CnfInclude;

export interface LexResult {
  readonly items: readonly CnfItem[];
  readonly errors: readonly ConfigProblem[];
  readonly warnings: readonly ConfigProblem[];
}

/** The client's isspace (latin1): 09-0D, 20, A0. */
export function isCnfSpace(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0xa0;
}

function trimEnd(s: string, from = 0): number {
  let e = s.length;
  while (e > from && isCnfSpace(s.charCodeAt(e - 1))) e--;
  return e;
}

function trimStart(s: string, from = 0): number {
  let a = from;
  while (a < s.length && isCnfSpace(s.charCodeAt(a))) a++;
  return a;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A latin1 byte string back to text; undefined when the bytes are not UTF-8. */
function decode(bytes: string): string | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the check is for ASCII-only byte strings
  if (/^[\x00-\x7f]*$/.test(bytes)) return bytes;
  try {
    return UTF8.decode(Buffer.from(bytes, 'latin1'));
  } catch {
    return undefined;
  }
}

/** Where an unquoted `#` starts (the client's remove_end_comment), or -1. */
function commentStart(line: string): number {
  let quote = 0;
  let escaped = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if ((c === 0x27 || c === 0x22) && !escaped) {
      if (quote === 0) quote = c;
      else if (quote === c) quote = 0;
    }
    if (quote === 0 && c === 0x23) return i;
    escaped = quote !== 0 && c === 0x5c && !escaped;
  }
  return -1;
}

const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  s: ' ',
  '"': '"',
  "'": "'",
  '\\': '\\',
};

function applyEscapes(v: string): string {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const ch = v[i]!;
    if (ch === '\\' && i !== v.length - 1) {
      const next = v[++i]!;
      out += ESCAPES[next] ?? `\\${next}`;
    } else out += ch;
  }
  return out;
}

const DIRECTIVE = /^!\s*(includedir|include)[\t\n\v\f\r \xa0]/;

/**
 * Lexes one file. `bytes` is the file content; a UTF-8 byte order mark at the start is skipped (the
 * client would refuse the file).
 */
export function lexMyCnf(bytes: Uint8Array, source: string): LexResult {
  const errors: ConfigProblem[] = [];
  const warnings: ConfigProblem[] = [];
  const items: CnfItem[] = [];
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + start, bytes.length - start).toString('latin1');
  start = 0;
  let group: string | undefined;
  let inGroup = false;
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i]!;
    const a = trimStart(raw);
    if (a === raw.length) continue;
    const first = raw[a];
    if (first === '#' || first === ';') continue;

    if (first === '!') {
      const body = raw.slice(a);
      const m = DIRECTIVE.exec(body);
      if (!m) continue; // the client ignores unknown directives
      const argStart = trimStart(body, m[0].length - 1);
      const path = body.slice(argStart, trimEnd(body, argStart));
      const decoded = decode(path);
      if (path === '' || decoded === undefined) {
        errors.push({ source, line: lineNo, message: `!${m[1]} needs a file name (UTF-8)` });
        continue;
      }
      items.push({ kind: m[1] === 'include' ? 'include' : 'includedir', line: lineNo, path: decoded });
      continue;
    }

    if (first === '[') {
      const close = raw.indexOf(']', a + 1);
      if (close < 0) {
        // The client refuses the whole file; we report it and skip this group's lines.
        errors.push({ source, line: lineNo, message: 'malformed group header: [ without ]' });
        items.push({ kind: 'group', line: lineNo, name: undefined, trailing: 'none' });
        group = undefined;
        inGroup = true;
        continue;
      }
      const name = decode(raw.slice(a + 1, trimEnd(raw.slice(0, close), a + 1)));
      const after = raw.slice(trimStart(raw, close + 1), trimEnd(raw));
      const trailing = after === '' ? 'none' : after[0] === '#' || after[0] === ';' ? 'comment' : 'text';
      items.push({ kind: 'group', line: lineNo, name, trailing });
      group = name;
      inGroup = true;
      continue;
    }

    if (!inGroup) {
      errors.push({
        source,
        line: lineNo,
        message: 'option before the first [group] header (the MySQL client refuses the file)',
      });
      continue;
    }

    const hash = commentStart(raw);
    const body = hash < 0 ? raw : raw.slice(0, hash);
    const eq = body.indexOf('=');
    const keyBytes = body.slice(a, trimEnd(eq < 0 ? body : body.slice(0, eq), a));
    if (keyBytes === '') {
      errors.push({ source, line: lineNo, message: 'malformed line: no option name before =' });
      continue;
    }
    const key = decode(keyBytes);
    if (eq < 0) {
      items.push({
        kind: 'option',
        line: lineNo,
        group,
        key,
        value: undefined,
        badValue: false,
        quoted: false,
        comment: undefined,
        unbalanced: false,
      });
      continue;
    }
    const vs = trimStart(body, eq + 1);
    const ve = Math.max(vs, trimEnd(body, vs));
    let v = body.slice(vs, ve);
    const q = v[0];
    let quoted = false;
    let unbalanced = false;
    if ((q === '"' || q === "'") && v.length >= 2 && v[v.length - 1] === q) {
      v = v.slice(1, -1);
      quoted = true;
    } else if (q === '"' || q === "'") unbalanced = true;
    const value = decode(applyEscapes(v));
    let comment: CnfOption['comment'];
    if (hash >= 0 && hash > eq)
      comment = hash === vs || !isCnfSpace(raw.charCodeAt(hash - 1)) ? 'attached' : 'spaced';
    items.push({
      kind: 'option',
      line: lineNo,
      group,
      key,
      value: value ?? '',
      badValue: value === undefined,
      quoted,
      comment,
      unbalanced,
    });
  }
  return { items, errors, warnings };
}
