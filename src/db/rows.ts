/** A driver result (rows of objects and its field packets) as our plain QueryResult. */
import type { FieldPacket } from 'mysql2';
import type { Cell, QueryResult, Row } from '../model/rows.js';

function toCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v);
}

function isCell(v: unknown): v is Cell {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint';
}

function isPlainRow(src: Record<string, unknown>, columns: readonly string[]): boolean {
  let n = 0;
  for (const k in src) {
    if (!Object.hasOwn(src, k) || !isCell(src[k])) return false;
    n++;
  }
  // Duplicate column names collapse into one key, as they do in a copy.
  if (n !== columns.length) return false;
  for (const c of columns) if (!Object.hasOwn(src, c)) return false;
  return true;
}

function convert(src: Record<string, unknown>, columns: readonly string[]): Row {
  const row: Record<string, Cell> = {};
  for (const c of columns) row[c] = toCell(src[c]);
  return row;
}

export function normalize(rows: unknown, fields: readonly FieldPacket[] | undefined): QueryResult {
  const columns = (fields ?? []).map((f) => f.name);
  if (!Array.isArray(rows)) return { columns, rows: [] };
  const out: Row[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const src = rows[i] as Record<string, unknown>;
    // The driver's row is kept as it is when every cell is a Cell already (SHOW statements: all
    // strings) and it has just the columns; otherwise a converted copy.
    out[i] = isPlainRow(src, columns) ? (src as Row) : convert(src, columns);
  }
  return { columns, rows: out };
}
