/**
 * One query file's text -> a typed, frozen QuerySpec, or the list of every problem in it (each with
 * file, line and key). Cross-file rules (duplicate collector and metric names) live in `cross-check.ts`.
 */
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import { parseRange, SUPPORT_KEYS, type Support } from '../model/server-info.js';
import type { ConfigProblem } from '../errors.js';
import { parseMetric } from './parse-metric.js';
import {
  COLLECTOR_NAME,
  DEFAULT_MAX_LABEL_LENGTH,
  DEFAULT_MAX_ROWS,
  MAX_DURATION_SECONDS,
  MAX_MAX_LABEL_LENGTH,
  MAX_MAX_ROWS,
  MAX_SQL_LENGTH,
  type MetricSpec,
  type MissingTable,
  type QuerySpec,
  ANY_SERVER,
  type SqlVariant,
} from './spec.js';
import { checkStatement } from './sql-check.js';
import { type Entry, quoteName, type YamlNode, YamlReader } from './yaml-reader.js';

export const QUERY_KEYS = [
  'name',
  'help',
  'sql',
  'supports',
  'enabled_by_default',
  'min_interval',
  'timeout',
  'max_rows',
  'max_label_length',
  'missing_table',
  'metrics',
] as const;

const VARIANT_KEYS = ['supports', 'sql'] as const;
const MISSING_TABLE: readonly MissingTable[] = ['error', 'empty'];

export interface ParsedFile {
  readonly spec: QuerySpec | undefined;
  readonly problems: readonly ConfigProblem[];
}

/** The part of a YAML parser message before any quoted source text. */
function yamlMessage(code: string, message: string): string {
  const head = message.split(':')[0] ?? message;
  if (code === 'BLOCK_SCALAR_HEADER' || /block scalar header/i.test(head)) {
    return `${head}: quote values that start with > or | (e.g. ">=8.0")`;
  }
  return head;
}

function parseSupports(r: YamlReader, e: Entry): Support | undefined {
  const m = r.entries(e.node, e.path, SUPPORT_KEYS);
  if (!m) return undefined;
  const out: Record<string, string> = {};
  for (const [key, entry] of m) {
    const range = r.string(entry, { nonEmpty: false });
    if (range === undefined) continue;
    if (!parseRange(range)) {
      r.problem(entry.node, entry.path, 'invalid version range (e.g. ">=8.0", ">=10.5 <11.4", "*")');
      continue;
    }
    out[key] = range;
  }
  if (isMap(e.node) && e.node.items.length === 0) {
    r.problem(e.node, e.path, 'names no flavor, so the query would never run');
  }
  return Object.freeze(out);
}

function parseSql(r: YamlReader, e: Entry): SqlVariant[] {
  const one = (entry: Entry, supports: Support | undefined): SqlVariant | undefined => {
    const sql = r.string(entry);
    if (sql === undefined) return undefined;
    if (sql.length > MAX_SQL_LENGTH) {
      r.problem(entry.node, entry.path, `is longer than ${MAX_SQL_LENGTH} characters`);
      return undefined;
    }
    const check = checkStatement(sql);
    if (!check.ok) {
      r.problem(entry.node, entry.path, `refused: ${check.reason}`);
      return undefined;
    }
    return Object.freeze({ supports, sql: sql.trim(), columns: check.columns });
  };
  if (!isSeq(e.node)) {
    const v = one(e, undefined);
    return v ? [v] : [];
  }
  const out: SqlVariant[] = [];
  (r.items(e) ?? []).forEach((item, i) => {
    const path = `${e.path}[${i}]`;
    const m = r.entries(item, path, VARIANT_KEYS);
    if (!m) return;
    const sqlEntry = r.require(m, 'sql', item, path);
    const supportsEntry = m.get('supports');
    const supports = supportsEntry ? parseSupports(r, supportsEntry) : undefined;
    const v = sqlEntry ? one(sqlEntry, supports) : undefined;
    if (v) out.push(v);
  });
  if (isSeq(e.node) && e.node.items.length === 0) r.problem(e.node, e.path, 'must hold at least one variant');
  return out;
}

/** Every column a metric reads must be in each variant's select list, when that list is known. */
function checkColumns(
  source: string,
  variants: readonly SqlVariant[],
  metrics: ReadonlyArray<readonly [number, MetricSpec]>,
  problems: ConfigProblem[],
): void {
  variants.forEach((v, vi) => {
    if (!v.columns) return;
    const counts = new Map<string, number>();
    for (const c of v.columns) counts.set(c.toLowerCase(), (counts.get(c.toLowerCase()) ?? 0) + 1);
    const where = variants.length > 1 ? `sql[${vi}]` : 'sql';
    for (const [i, m] of metrics) {
      const refs: Array<[string, string]> = [
        ...m.labels.map((l): [string, string] => [l.column, 'labels']),
        ...m.values.map((x): [string, string] => [x.column, x.labelValue === undefined ? 'value' : 'values']),
      ];
      for (const [column, key] of refs) {
        const n = counts.get(column.toLowerCase()) ?? 0;
        const message =
          n === 0
            ? `column ${quoteName(column)} is not in the select list of ${where} (it has: ${v.columns.join(', ')})`
            : n > 1
              ? `column ${quoteName(column)} appears more than once in the select list of ${where}`
              : undefined;
        if (message === undefined) continue;
        problems.push({
          source,
          ...(m.line === undefined ? {} : { line: m.line }),
          key: `metrics[${i}].${key}`,
          message,
        });
      }
    }
  });
}

/** Parses one file; `source` is the path used in problems. */
export function parseQueryFile(source: string, text: string): ParsedFile {
  const problems: ConfigProblem[] = [];
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const r = new YamlReader(source, lines, problems, doc);
  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      const line = lines.linePos(err.pos[0]).line;
      problems.push({ source, line, message: `invalid YAML: ${yamlMessage(err.code, err.message)}` });
    }
    return { spec: undefined, problems };
  }
  const root = doc.contents as YamlNode;
  if (root === null || root === undefined) {
    problems.push({ source, message: 'the file is empty' });
    return { spec: undefined, problems };
  }
  const m = r.entries(root, '', QUERY_KEYS);
  if (!m) return { spec: undefined, problems };

  const name = r.string(r.require(m, 'name', root, ''));
  if (name !== undefined && !COLLECTOR_NAME.test(name)) {
    r.problem(
      m.get('name')?.node,
      'name',
      'invalid collector name (lower-case snake_case parts joined by dots)',
    );
  }
  const help = r.string(r.require(m, 'help', root, ''));
  const sqlEntry = r.require(m, 'sql', root, '');
  const sql = sqlEntry ? parseSql(r, sqlEntry) : [];
  const supportsEntry = m.get('supports');
  const supports = supportsEntry ? parseSupports(r, supportsEntry) : ANY_SERVER;
  const enabledByDefault = m.has('enabled_by_default') ? r.bool(m.get('enabled_by_default')) : true;
  const minIntervalMs = m.has('min_interval')
    ? r.durationMs(m.get('min_interval'), false, MAX_DURATION_SECONDS)
    : 0;
  const timeoutMs = r.durationMs(m.get('timeout'), true, MAX_DURATION_SECONDS);
  const maxRows = m.has('max_rows') ? r.integer(m.get('max_rows'), 1, MAX_MAX_ROWS) : DEFAULT_MAX_ROWS;
  const maxLabelLength = m.has('max_label_length')
    ? r.integer(m.get('max_label_length'), 1, MAX_MAX_LABEL_LENGTH)
    : DEFAULT_MAX_LABEL_LENGTH;
  let missingTable: MissingTable | undefined = 'error';
  if (m.has('missing_table')) {
    const v = r.string(m.get('missing_table'));
    missingTable = MISSING_TABLE.find((x) => x === v);
    if (v !== undefined && !missingTable) {
      r.problem(m.get('missing_table')?.node, 'missing_table', 'expected error or empty');
    }
  }

  const parsed: Array<readonly [number, MetricSpec]> = [];
  const metricsEntry = r.require(m, 'metrics', root, '');
  if (metricsEntry) {
    const items = r.items(metricsEntry) ?? [];
    if (isSeq(metricsEntry.node) && items.length === 0) {
      r.problem(metricsEntry.node, 'metrics', 'must hold at least one metric');
    }
    items.forEach((item, i) => {
      const metric = parseMetric(r, item, `metrics[${i}]`);
      if (metric) parsed.push([i, metric]);
    });
    const names = new Set<string>();
    for (const [, metric] of parsed) {
      if (names.has(metric.name)) {
        problems.push({
          source,
          ...(metric.line === undefined ? {} : { line: metric.line }),
          key: 'metrics',
          message: `metric ${quoteName(metric.name)} is defined twice in this file`,
        });
      }
      names.add(metric.name);
    }
  }
  checkColumns(source, sql, parsed, problems);
  const metrics = parsed.map(([, metric]) => metric);

  if (
    problems.length > 0 ||
    name === undefined ||
    help === undefined ||
    supports === undefined ||
    enabledByDefault === undefined ||
    minIntervalMs === undefined ||
    maxRows === undefined ||
    maxLabelLength === undefined ||
    missingTable === undefined
  ) {
    return { spec: undefined, problems };
  }
  const spec: QuerySpec = Object.freeze({
    name,
    help,
    source,
    line: r.line(root),
    enabledByDefault,
    supports,
    sql: Object.freeze(sql),
    minIntervalMs,
    timeoutMs,
    maxRows,
    maxLabelLength,
    missingTable,
    metrics: Object.freeze(metrics),
  });
  return { spec, problems };
}
