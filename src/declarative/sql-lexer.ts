/**
 * A small MySQL/MariaDB lexer, just precise enough to tell code from strings, quoted identifiers and
 * comments. Executable comments (`/*! ... *\/`, `/*!80000 ... *\/`, `/*M! ... *\/`) are code to the
 * server, so their contents are lexed as code. Anything whose meaning depends on server settings
 * (a backslash inside a string: NO_BACKSLASH_ESCAPES) or that is unterminated is refused, so that
 * this lexer and the server can never disagree about where a string or comment ends.
 */
import { ExporterError } from '../errors.js';

export type TokenKind = 'word' | 'quoted' | 'string' | 'punct';

export interface Token {
  readonly kind: TokenKind;
  /** Words: the text as written; quoted identifiers and strings: the unescaped content. */
  readonly text: string;
  /** Words: upper-cased, for keyword checks; otherwise equal to `text`. */
  readonly upper: string;
}

export class SqlLexError extends ExporterError {
  constructor(message: string) {
    super('SQL_LEX', message);
  }
}

const WORD_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
/** Whitespace and control characters separate tokens. */
const isSpace = (c: string) => c.charCodeAt(0) <= 32 || /\s/.test(c);

function readQuoted(sql: string, start: number, quote: string, what: string): { text: string; end: number } {
  let i = start + 1;
  let text = '';
  for (;;) {
    const c = sql[i];
    if (c === undefined) throw new SqlLexError(`unterminated ${what}`);
    if (c === '\\' && quote !== '`') {
      throw new SqlLexError(
        `a backslash inside a ${what} is ambiguous (its meaning depends on NO_BACKSLASH_ESCAPES); use CHAR() or ${quote}${quote}`,
      );
    }
    if (c === quote) {
      if (sql[i + 1] === quote) {
        text += quote;
        i += 2;
        continue;
      }
      return { text, end: i + 1 };
    }
    text += c;
    i++;
  }
}

/** Splits `sql` into tokens; throws SqlLexError on anything ambiguous or unterminated. */
export function lex(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let inExecutableComment = false;
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === '#' || (c === '-' && next === '-' && (i + 2 >= sql.length || isSpace(sql[i + 2]!)))) {
      const nl = sql.indexOf('\n', i);
      if (inExecutableComment) throw new SqlLexError('a line comment inside an executable comment');
      i = nl < 0 ? sql.length : nl + 1;
      continue;
    }
    if (c === '*' && next === '/' && inExecutableComment) {
      inExecutableComment = false;
      i += 2;
      continue;
    }
    if (c === '/' && next === '*') {
      if (inExecutableComment) throw new SqlLexError('a comment nested inside an executable comment');
      const exec = /^\/\*(?:!|M!)(\d{5,6})?/.exec(sql.slice(i, i + 10));
      if (exec) {
        inExecutableComment = true;
        i += exec[0].length;
        continue;
      }
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) throw new SqlLexError('unterminated comment');
      i = end + 2;
      continue;
    }
    if (c === "'" || c === '"') {
      const q = readQuoted(sql, i, c, 'string');
      tokens.push({ kind: 'string', text: q.text, upper: q.text });
      i = q.end;
      continue;
    }
    if (c === '`') {
      const q = readQuoted(sql, i, c, 'quoted identifier');
      tokens.push({ kind: 'quoted', text: q.text, upper: q.text });
      i = q.end;
      continue;
    }
    if (WORD_CHAR.test(c)) {
      let j = i + 1;
      while (j < sql.length && WORD_CHAR.test(sql[j]!)) j++;
      const text = sql.slice(i, j);
      tokens.push({ kind: 'word', text, upper: text.toUpperCase() });
      i = j;
      continue;
    }
    tokens.push({ kind: 'punct', text: c, upper: c });
    i++;
  }
  if (inExecutableComment) throw new SqlLexError('unterminated executable comment');
  return tokens;
}
