/** One entry of a query file's `metrics:` list -> a MetricSpec, recording every problem found. */
import { isMap, isScalar, isSeq } from 'yaml';
import { LABEL_NAME, METRIC_NAME } from '../model/metrics.js';
import {
  isReservedLabel,
  type LabelSpec,
  type MetricSpec,
  type QueryMetricType,
  type ValueSpec,
} from './spec.js';
import { type Entry, quoteName, type YamlNode, type YamlReader } from './yaml-reader.js';

export const METRIC_KEYS = [
  'name',
  'help',
  'type',
  'labels',
  'value',
  'values',
  'value_label',
  'static_labels',
  'scale',
  'value_map',
  'counter_without_total',
] as const;

const TYPES: readonly QueryMetricType[] = ['counter', 'gauge', 'untyped'];

/** Names the exporter itself emits; a query may not shadow them. */
export function isReservedMetricName(name: string): boolean {
  return name === 'mysql_up' || name.startsWith('mysql_exporter_');
}

function labelName(r: YamlReader, node: YamlNode, path: string, name: string): boolean {
  if (!LABEL_NAME.test(name)) {
    r.problem(
      node,
      path,
      `invalid label name ${quoteName(name)} (letters, digits and _; not starting with a digit)`,
    );
    return false;
  }
  if (isReservedLabel(name)) {
    r.problem(
      node,
      path,
      `label name ${quoteName(name)} is reserved (__*, le, quantile, collector, instance, job)`,
    );
    return false;
  }
  return true;
}

function columnName(r: YamlReader, node: YamlNode, path: string, v: unknown): string | undefined {
  if (typeof v !== 'string' || v.trim() === '') {
    r.problem(node, path, 'expected a column name');
    return undefined;
  }
  return v;
}

function scalarValue(node: YamlNode): unknown {
  return isScalar(node) ? node.value : undefined;
}

function parseLabelList(r: YamlReader, e: Entry): LabelSpec[] {
  const out: LabelSpec[] = [];
  (r.items(e) ?? []).forEach((item, i) => {
    const path = `${e.path}[${i}]`;
    const column = columnName(r, item, path, scalarValue(item));
    if (column === undefined) return;
    if (!LABEL_NAME.test(column)) {
      r.problem(
        item,
        path,
        `column ${quoteName(column)} is not a valid label name; use the form {label: column}`,
      );
      return;
    }
    if (labelName(r, item, path, column)) out.push({ label: column, column });
  });
  return out;
}

function parseLabelMap(r: YamlReader, e: Entry): LabelSpec[] {
  const out: LabelSpec[] = [];
  for (const p of r.pairs(e) ?? []) {
    const path = `${e.path}.${p.key}`;
    const column = columnName(r, p.node ?? p.keyNode, path, scalarValue(p.node));
    if (labelName(r, p.keyNode, path, p.key) && column !== undefined) out.push({ label: p.key, column });
  }
  return out;
}

function parseValues(r: YamlReader, e: Entry): ValueSpec[] {
  const out: ValueSpec[] = [];
  if (isSeq(e.node)) {
    (r.items(e) ?? []).forEach((item, i) => {
      const column = columnName(r, item, `${e.path}[${i}]`, scalarValue(item));
      if (column !== undefined) out.push({ column, labelValue: column });
    });
  } else {
    for (const p of r.pairs(e) ?? []) {
      const column = columnName(r, p.node ?? p.keyNode, `${e.path}.${p.key}`, scalarValue(p.node));
      if (column !== undefined) out.push({ column, labelValue: p.key });
    }
  }
  if ((isMap(e.node) || isSeq(e.node)) && e.node.items.length === 0) {
    r.problem(e.node, e.path, 'must name at least one column');
  }
  return out;
}

function parseStaticLabels(r: YamlReader, e: Entry): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of r.pairs(e) ?? []) {
    const path = `${e.path}.${p.key}`;
    const v = scalarValue(p.node);
    if (typeof v !== 'string') {
      r.problem(p.node ?? p.keyNode, path, 'expected a string (quote it)');
      continue;
    }
    if (labelName(r, p.keyNode, path, p.key)) out[p.key] = v;
  }
  return out;
}

function parseValueMap(r: YamlReader, e: Entry): Map<string, number> | undefined {
  const out = new Map<string, number>();
  for (const p of r.pairs(e) ?? []) {
    const v = scalarValue(p.node);
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      r.problem(p.node ?? p.keyNode, `${e.path}.${p.key}`, 'expected a finite number');
      continue;
    }
    out.set(p.key, v);
  }
  if (isMap(e.node) && e.node.items.length === 0) {
    r.problem(e.node, e.path, 'must map at least one string to a number');
  }
  if (out.size === 0) return undefined;
  return out;
}

export function parseMetric(r: YamlReader, node: YamlNode, path: string): MetricSpec | undefined {
  const m = r.entries(node, path, METRIC_KEYS);
  if (!m) return undefined;
  const name = r.string(r.require(m, 'name', node, path));
  if (name !== undefined && !METRIC_NAME.test(name)) {
    r.problem(m.get('name')?.node, `${path}.name`, `invalid metric name ${quoteName(name)}`);
  } else if (name !== undefined && isReservedMetricName(name)) {
    r.problem(
      m.get('name')?.node,
      `${path}.name`,
      `${quoteName(name)} is reserved for the exporter's own metrics`,
    );
  }
  const help = r.string(r.require(m, 'help', node, path));
  const typeEntry = r.require(m, 'type', node, path);
  const typeText = r.string(typeEntry);
  let type: QueryMetricType | undefined;
  if (typeText !== undefined) {
    type = TYPES.find((t) => t === typeText);
    if (!type)
      r.problem(typeEntry?.node, `${path}.type`, `unknown metric type (allowed: ${TYPES.join(', ')})`);
  }
  const exempt = m.has('counter_without_total') ? r.bool(m.get('counter_without_total')) : false;
  if (type === 'counter' && name !== undefined && !name.endsWith('_total') && exempt !== true) {
    r.problem(
      m.get('name')?.node,
      `${path}.name`,
      'a counter name must end in _total (set counter_without_total: true only to keep a mysqld_exporter name)',
    );
  }
  if (exempt === true && type !== undefined && type !== 'counter') {
    r.problem(
      m.get('counter_without_total')?.keyNode,
      `${path}.counter_without_total`,
      'only applies to counters',
    );
  }

  const labelsEntry = m.get('labels');
  let labels: LabelSpec[] = [];
  if (labelsEntry && isMap(labelsEntry.node)) labels = parseLabelMap(r, labelsEntry);
  else if (labelsEntry && isSeq(labelsEntry.node)) labels = parseLabelList(r, labelsEntry);
  else if (labelsEntry) {
    r.problem(
      labelsEntry.node ?? labelsEntry.keyNode,
      labelsEntry.path,
      'expected a list of columns or a mapping {label: column}',
    );
  }

  const valueEntry = m.get('value');
  const valuesEntry = m.get('values');
  const valueLabelEntry = m.get('value_label');
  let values: ValueSpec[] = [];
  if (valueEntry && valuesEntry) {
    r.problem(valuesEntry.keyNode, `${path}.values`, 'give either value or values, not both');
  } else if (valueEntry) {
    const column = r.string(valueEntry);
    if (column !== undefined) values = [{ column, labelValue: undefined }];
    if (valueLabelEntry)
      r.problem(valueLabelEntry.keyNode, `${path}.value_label`, 'only applies with values');
  } else if (valuesEntry) {
    values = parseValues(r, valuesEntry);
    if (!valueLabelEntry) r.problem(valuesEntry.keyNode, `${path}.value_label`, 'is required with values');
  } else {
    r.problem(node, `${path}.value`, 'is required (or values with value_label)');
  }
  let valueLabel: string | undefined;
  if (valueLabelEntry && valuesEntry) {
    const v = r.string(valueLabelEntry);
    if (v !== undefined && labelName(r, valueLabelEntry.node, valueLabelEntry.path, v)) valueLabel = v;
  }

  const staticEntry = m.get('static_labels');
  const staticLabels = staticEntry ? parseStaticLabels(r, staticEntry) : {};
  const seen = new Set<string>();
  for (const l of [
    ...labels.map((x) => x.label),
    ...Object.keys(staticLabels),
    ...(valueLabel ? [valueLabel] : []),
  ]) {
    if (seen.has(l)) r.problem(node, `${path}.labels`, `label ${quoteName(l)} is defined more than once`);
    seen.add(l);
  }
  const labelValues = new Set<string>();
  for (const v of values) {
    if (v.labelValue === undefined) continue;
    if (labelValues.has(v.labelValue)) {
      r.problem(valuesEntry?.node, `${path}.values`, `value label ${quoteName(v.labelValue)} is used twice`);
    }
    labelValues.add(v.labelValue);
  }

  const scaleEntry = m.get('scale');
  const scale = scaleEntry ? r.number(scaleEntry) : 1;
  if (scale === 0) r.problem(scaleEntry?.node, `${path}.scale`, 'must not be 0');
  const mapEntry = m.get('value_map');
  const valueMap = mapEntry ? parseValueMap(r, mapEntry) : undefined;

  if (name === undefined || help === undefined || type === undefined || values.length === 0) return undefined;
  return Object.freeze({
    name,
    help,
    type,
    labels: Object.freeze(labels),
    values: Object.freeze(values),
    valueLabel,
    staticLabels: Object.freeze(staticLabels),
    scale: scale ?? 1,
    valueMap,
    line: r.line(node),
  });
}
