/**
 * A query result -> plain metric families, as the spec says: label columns become labels (NULL is
 * ""), value columns become samples (NULL skipped silently, non-numeric strings skipped and counted),
 * `value_map` first, then `scale`. Column names match case-insensitively (MySQL 8.0 reports
 * information_schema columns in upper case). Caps and missing columns throw CollectorError.
 */
import { CollectorError } from '../errors.js';
import { labelValue, parseNumber } from '../model/values.js';
import type { Cell, QueryResult } from '../model/rows.js';
import type { MetricFamily, Sample } from '../model/metrics.js';
import type { MetricSpec, QuerySpec } from './spec.js';

export interface Mapped {
  readonly families: MetricFamily[];
  /** Value cells that were neither NULL nor numbers (nor in value_map). */
  readonly skipped: number;
  readonly skippedColumns: readonly string[];
}

/** Referenced column (lower-cased) -> the column name the result actually uses. */
export function resolveColumns(spec: QuerySpec, columns: readonly string[]): Map<string, string> {
  const byLower = new Map<string, string[]>();
  for (const c of columns) {
    const k = c.toLowerCase();
    byLower.set(k, [...(byLower.get(k) ?? []), c]);
  }
  const resolved = new Map<string, string>();
  const missing = new Set<string>();
  const ambiguous = new Set<string>();
  for (const m of spec.metrics) {
    for (const column of [...m.labels.map((l) => l.column), ...m.values.map((v) => v.column)]) {
      const k = column.toLowerCase();
      const found = byLower.get(k);
      if (!found) missing.add(column);
      else if (found.length > 1) ambiguous.add(column);
      else resolved.set(k, found[0]!);
    }
  }
  if (missing.size > 0) {
    throw new CollectorError(
      `the result has no column ${[...missing].join(', ')} (it has: ${columns.join(', ') || 'no columns'})`,
    );
  }
  if (ambiguous.size > 0) {
    throw new CollectorError(`the result has more than one column named ${[...ambiguous].join(', ')}`);
  }
  return resolved;
}

function value(cell: Cell | undefined, m: MetricSpec): number | null | undefined {
  if (cell === null || cell === undefined) return null;
  if (m.valueMap && typeof cell === 'string') {
    const mapped = m.valueMap.get(cell);
    if (mapped !== undefined) return mapped;
  }
  return parseNumber(cell);
}

/**
 * A copy of `labels` (plus `name` = `value` when given), built by plain stores so that copies with
 * the same label names share one hidden class. (`{ ...labels, [name]: value }` here gave every copy a
 * hidden class of its own: 28 MB of V8 maps and descriptors for 96,000 samples of the perf_schema
 * collectors.)
 */
function copyLabels(
  labels: Readonly<Record<string, string>>,
  name?: string,
  value?: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in labels) out[k] = labels[k]!;
  if (name !== undefined && value !== undefined) out[name] = value;
  return out;
}

export function mapResult(spec: QuerySpec, result: QueryResult): Mapped {
  if (result.rows.length > spec.maxRows) {
    throw new CollectorError(
      `the query returned ${result.rows.length} rows, more than max_rows (${spec.maxRows}); add a LIMIT or raise max_rows`,
    );
  }
  const col = resolveColumns(spec, result.columns);
  const actual = (column: string) => col.get(column.toLowerCase())!;
  let skipped = 0;
  const skippedColumns = new Set<string>();
  const families: MetricFamily[] = [];
  for (const m of spec.metrics) {
    const samples: Sample[] = [];
    for (const row of result.rows) {
      const labels = copyLabels(m.staticLabels);
      for (const l of m.labels) {
        const v = labelValue(row[actual(l.column)]);
        if (v.length > spec.maxLabelLength) {
          throw new CollectorError(
            `a value of label ${l.label} of ${m.name} is ${v.length} characters long, more than max_label_length (${spec.maxLabelLength}); shorten it in SQL (LEFT(col, n)) or raise max_label_length`,
          );
        }
        labels[l.label] = v;
      }
      for (const vs of m.values) {
        const raw = value(row[actual(vs.column)], m);
        if (raw === null) continue;
        const n = raw === undefined ? undefined : raw * m.scale;
        if (n === undefined || !Number.isFinite(n)) {
          skipped++;
          skippedColumns.add(vs.column);
          continue;
        }
        const sampleLabels =
          m.valueLabel !== undefined && vs.labelValue !== undefined
            ? copyLabels(labels, m.valueLabel, vs.labelValue)
            : labels;
        samples.push({ labels: sampleLabels, value: n });
      }
    }
    if (samples.length > 0) families.push({ name: m.name, help: m.help, type: m.type, samples });
  }
  return { families, skipped, skippedColumns: [...skippedColumns] };
}
