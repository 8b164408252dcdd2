/**
 * Strict value parsing. JavaScript's Number() accepts '', ' 42 ', '0x1A' and 'Infinity'; the server
 * strings we read must not turn into made-up zeros. Anything that is not a plain decimal number or a
 * known boolean-like word is dropped (undefined).
 */
import type { Cell } from './rows.js';

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

const WORDS: Readonly<Record<string, number>> = {
  yes: 1,
  on: 1,
  primary: 1,
  no: 0,
  off: 0,
  disabled: 0,
  connecting: 0,
  'non-primary': 0,
  disconnected: 0,
};

/** Parses a number-only cell: numeric strings and numbers. Booleans words are not accepted. */
export function parseNumber(v: Cell | undefined): number | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'bigint') return Number(v);
  if (!NUMERIC.test(v)) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

// mysqld_exporter parses two timestamp shapes: "Jan _2 15:04:05 2006 MST" (Ssl_server_not_after)
// and "2006-01-02 15:04:05".
const SQL_DATETIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const SSL_DATE = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4}) GMT$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function parseTimestamp(s: string): number | undefined {
  let m = SQL_DATETIME.exec(s);
  if (m) {
    const t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
    return Number.isFinite(t) ? t / 1000 : undefined;
  }
  m = SSL_DATE.exec(s);
  if (m) {
    const month = MONTHS.indexOf(m[1]!);
    if (month < 0) return undefined;
    return Date.UTC(+m[6]!, month, +m[2]!, +m[3]!, +m[4]!, +m[5]!) / 1000;
  }
  return undefined;
}

/**
 * mysqld_exporter's status parsing: ON/YES/Primary -> 1, OFF/NO/Connecting/... -> 0, timestamps ->
 * Unix seconds, plain numbers -> numbers. Anything else is undefined (skipped).
 */
export function parseStatusValue(v: Cell | undefined): number | undefined {
  if (typeof v === 'string') {
    // Most values are numbers: no lowercased copy for them (no word starts with a digit or sign).
    const c = v.charCodeAt(0);
    if ((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46) {
      const n = parseNumber(v);
      if (n !== undefined) return n;
      return parseTimestamp(v);
    }
    const word = WORDS[v.toLowerCase()];
    if (word !== undefined) return word;
    const n = parseNumber(v);
    if (n !== undefined) return n;
    return parseTimestamp(v);
  }
  return parseNumber(v);
}

/** A label value: NULL becomes the empty string. */
export function labelValue(v: Cell | undefined): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : String(v);
}
