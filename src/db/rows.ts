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

export function normalize(rows: unknown, fields: readonly FieldPacket[] | undefined): QueryResult {
  const columns = (fields ?? []).map((f) => f.name);
  if (!Array.isArray(rows)) return { columns, rows: [] };
  const out: Row[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const src = rows[i] as Record<string, unknown>;
    const row: Record<string, Cell> = {};
    for (const c of columns) row[c] = toCell(src[c]);
    out[i] = row;
  }
  return { columns, rows: out };
}
