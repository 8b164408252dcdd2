/**
 * One test per validation error class: each problem names the file, the line and the key, and
 * never quotes a value.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatProblem } from '../../../src/errors.js';
import { assertOneProblem, problemsOf, specOf, VALID } from './helpers.js';

const withMetric = (extra: string) =>
  VALID.replace('    value: rows_read\n', `    value: rows_read\n${extra}`);

test('the valid example parses into a frozen spec with defaults', () => {
  const spec = specOf(VALID);
  assert.equal(spec.name, 'custom.example');
  assert.equal(spec.enabledByDefault, true);
  assert.deepEqual(spec.supports, { mysql: '*', mariadb: '*' });
  assert.equal(spec.minIntervalMs, 0);
  assert.equal(spec.timeoutMs, undefined);
  assert.equal(spec.maxRows, 10_000);
  assert.equal(spec.maxLabelLength, 1024);
  assert.deepEqual(spec.sql[0]?.columns, ['schema_name', 'table_name', 'rows_read', 'state']);
  assert.deepEqual(spec.metrics[0]?.labels, [
    { label: 'schema', column: 'schema_name' },
    { label: 'table', column: 'table_name' },
  ]);
  assert.ok(Object.isFrozen(spec) && Object.isFrozen(spec.metrics) && Object.isFrozen(spec.metrics[0]));
});

test('invalid YAML: the line of the syntax error', () => {
  assertOneProblem('name: x\nhelp: a: b\nsql: SELECT 1\n', {
    line: 2,
    message: /invalid YAML: Nested mappings/,
  });
  assertOneProblem('name: x\nhelp: "unclosed\nsql: SELECT 1\n', {
    line: 4,
    message: /invalid YAML: Missing closing/,
  });
});

test('tabs as indentation', () => {
  const p = problemsOf('name: x\nmetrics:\n\t- name: y\n');
  assert.ok(p.length >= 1);
  assert.equal(p[0]?.line, 3);
  assert.match(p[0]!.message, /invalid YAML: Tabs/);
});

test('a duplicate key', () => {
  assertOneProblem(`${VALID}help: again\n`, { line: 10, message: /invalid YAML: Map keys must be unique/ });
});

test('a secret on a malformed line is never echoed', () => {
  const secret = 's3cr3t-Pa55word';
  for (const text of [
    `name: x\npassword: '${secret}\n`,
    `name: x\nhelp: >${secret}\n`,
    `name: x\n${secret}: [\n`,
    `${VALID}password: ${secret}\n`,
    VALID.replace('help: An example.', `help: ${secret}\n  more: [`),
    VALID.replace('value: rows_read', `value: {${secret}: 1}`),
    VALID.replace('type: counter', `type: ${secret}`),
  ]) {
    const problems = problemsOf(text);
    assert.ok(problems.length > 0);
    for (const p of problems) assert.ok(!formatProblem(p).includes(secret), formatProblem(p));
  }
});

test('an unknown top-level key', () => {
  assertOneProblem(`${VALID}min_intervall: 5s\n`, { line: 10, key: 'min_intervall', message: /unknown key/ });
});

test('an unknown metric key', () => {
  assertOneProblem(withMetric('    lables: [x]\n'), {
    line: 10,
    key: 'metrics[0].lables',
    message: /unknown key/,
  });
});

test('wrong types: boolean, integer, string, list', () => {
  assertOneProblem(`${VALID}enabled_by_default: "yes"\n`, {
    line: 10,
    key: 'enabled_by_default',
    message: /expected true or false/,
  });
  assertOneProblem(`${VALID}max_rows: many\n`, { line: 10, key: 'max_rows', message: /integer/ });
  assertOneProblem(`${VALID}max_label_length: 0\n`, {
    line: 10,
    key: 'max_label_length',
    message: /integer from 1/,
  });
  assertOneProblem(VALID.replace('help: An example.', 'help: 42'), {
    line: 2,
    key: 'help',
    message: /string/,
  });
  assertOneProblem(VALID.replace(/^metrics:[\s\S]*$/m, 'metrics: 3\n'), {
    line: 4,
    key: 'metrics',
    message: /expected a list/,
  });
});

test('durations: invalid, zero timeout, too long', () => {
  assertOneProblem(`${VALID}timeout: soon\n`, { line: 10, key: 'timeout', message: /duration/ });
  assertOneProblem(`${VALID}timeout: 0s\n`, { line: 10, key: 'timeout', message: /greater than 0/ });
  assertOneProblem(`${VALID}min_interval: 48h\n`, { line: 10, key: 'min_interval', message: /at most/ });
  assert.equal(specOf(`${VALID}min_interval: 90s\ntimeout: 1.5\n`).minIntervalMs, 90_000);
  assert.equal(specOf(`${VALID}timeout: 1.5\n`).timeoutMs, 1500);
});

test('an unknown metric type', () => {
  assertOneProblem(VALID.replace('type: counter', 'type: histogram'), {
    line: 7,
    key: 'metrics[0].type',
    message: /unknown metric type \(allowed: counter, gauge, untyped\)/,
  });
});

test('an invalid metric name', () => {
  assertOneProblem(VALID.replace('name: mysql_example_rows_read_total', 'name: mysql-example_total'), {
    line: 5,
    key: 'metrics[0].name',
    message: /invalid metric name "mysql-example_total"/,
  });
});

test("a metric name reserved for the exporter's own metrics", () => {
  assertOneProblem(VALID.replace('name: mysql_example_rows_read_total', 'name: mysql_exporter_x_total'), {
    line: 5,
    key: 'metrics[0].name',
    message: /reserved/,
  });
});

test('an invalid collector name', () => {
  assertOneProblem(VALID.replace('name: custom.example', 'name: Custom-Example'), {
    line: 1,
    key: 'name',
    message: /invalid collector name/,
  });
});

test('an invalid label name (mapping and list forms)', () => {
  assertOneProblem(VALID.replace('{schema: schema_name, table: table_name}', '{1schema: schema_name}'), {
    line: 8,
    key: 'metrics[0].labels.1schema',
    message: /invalid label name/,
  });
  assertOneProblem(VALID.replace('{schema: schema_name, table: table_name}', '["table name"]'), {
    line: 8,
    key: 'metrics[0].labels[0]',
    message: /not a valid label name; use the form \{label: column\}/,
  });
});

test('reserved label names: __*, le, quantile, collector, instance, job', () => {
  for (const l of ['__name', 'le', 'quantile', 'collector', 'instance', 'job']) {
    assertOneProblem(VALID.replace('{schema: schema_name, table: table_name}', `{${l}: schema_name}`), {
      line: 8,
      key: `metrics[0].labels.${l}`,
      message: /is reserved/,
    });
  }
  assertOneProblem(withMetric('    static_labels: {job: x}\n'), {
    line: 10,
    key: 'metrics[0].static_labels.job',
    message: /is reserved/,
  });
});

test('a label defined twice in one metric', () => {
  assertOneProblem(withMetric('    static_labels: {schema: x}\n'), {
    line: 5,
    key: 'metrics[0].labels',
    message: /label "schema" is defined more than once/,
  });
});

test('a counter without _total, and the compatibility exemption', () => {
  assertOneProblem(VALID.replace('rows_read_total', 'rows_read'), {
    line: 5,
    key: 'metrics[0].name',
    message: /must end in _total/,
  });
  specOf(
    VALID.replace('rows_read_total', 'rows_read').replace(
      'type: counter',
      'type: counter\n    counter_without_total: true',
    ),
  );
  assertOneProblem(VALID.replace('type: counter', 'type: gauge\n    counter_without_total: true'), {
    line: 8,
    key: 'metrics[0].counter_without_total',
    message: /only applies to counters/,
  });
});

test('required keys are reported at the mapping that lacks them', () => {
  assertOneProblem(VALID.replace('help: An example.\n', ''), {
    line: 1,
    key: 'help',
    message: /is required/,
  });
  assertOneProblem(VALID.replace('    type: counter\n', ''), {
    line: 5,
    key: 'metrics[0].type',
    message: /is required/,
  });
  assertOneProblem(VALID.replace('    value: rows_read\n', ''), {
    line: 5,
    key: 'metrics[0].value',
    message: /is required/,
  });
  assertOneProblem('name: x\nhelp: y\nsql: SELECT 1 AS v\nmetrics: []\n', {
    line: 4,
    key: 'metrics',
    message: /at least one metric/,
  });
});

test('value and values: exclusive; values needs value_label; value_label needs values', () => {
  assertOneProblem(withMetric('    values: [state]\n    value_label: x\n'), {
    line: 10,
    key: 'metrics[0].values',
    message: /either value or values/,
  });
  assertOneProblem(VALID.replace('value: rows_read', 'values: [rows_read]'), {
    line: 9,
    key: 'metrics[0].value_label',
    message: /required with values/,
  });
  assertOneProblem(withMetric('    value_label: op\n'), {
    line: 10,
    key: 'metrics[0].value_label',
    message: /only applies with values/,
  });
  assertOneProblem(
    VALID.replace('value: rows_read', 'value_label: op\n    values: {a: rows_read, b: rows_read}').replace(
      '{a: rows_read, b: rows_read}',
      '[rows_read, rows_read]',
    ),
    {
      line: 10,
      key: 'metrics[0].values',
      message: /used twice/,
    },
  );
});

test('a label column that is not in the select list', () => {
  assertOneProblem(VALID.replace('table: table_name', 'table: tbl'), {
    line: 5,
    key: 'metrics[0].labels',
    message:
      /column "tbl" is not in the select list of sql \(it has: schema_name, table_name, rows_read, state\)/,
  });
});

test('a value column that is not in the select list (case-insensitive match otherwise)', () => {
  assertOneProblem(VALID.replace('value: rows_read', 'value: rows_written'), {
    line: 5,
    key: 'metrics[0].value',
    message: /column "rows_written" is not in the select list/,
  });
  specOf(VALID.replace('value: rows_read', 'value: ROWS_READ'));
});

test('a column that appears twice in the select list', () => {
  assertOneProblem(VALID.replace('rows_read, state', 'rows_read, x AS ROWS_READ'), {
    line: 5,
    key: 'metrics[0].value',
    message: /appears more than once/,
  });
});

test('columns are not checked when the select list cannot say them (SELECT *, SHOW)', () => {
  specOf(VALID.replace('SELECT schema_name, table_name, rows_read, state FROM t', 'SELECT * FROM t'));
  specOf(VALID.replace('SELECT schema_name, table_name, rows_read, state FROM t', 'SHOW GLOBAL STATUS'));
});

test('a refused statement is reported at the sql line', () => {
  assertOneProblem(VALID.replace(/^sql: .*$/m, 'sql: DELETE FROM t1.t'), {
    line: 3,
    key: 'sql',
    message: /refused: only SELECT, SHOW and WITH/,
  });
  assertOneProblem(VALID.replace(/^sql: .*$/m, 'sql: "SELECT 1; DROP TABLE t1.t"'), {
    line: 3,
    key: 'sql',
    message: /refused: only one statement/,
  });
});

test('sql variants: each checked, with its own supports', () => {
  const text = VALID.replace(
    /^sql: .*$/m,
    'sql:\n  - supports: {mysql: ">=8.0"}\n    sql: SELECT schema_name, table_name, rows_read FROM t\n  - sql: SELECT a AS schema_name, b AS table_name, c AS rowsread FROM t',
  );
  const problems = problemsOf(text);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!.message, /column "rows_read" is not in the select list of sql\[1\]/);
  const bad = problemsOf(
    VALID.replace(/^sql: .*$/m, 'sql:\n  - supports: {oracle: "*"}\n    sql: SELECT * FROM t\n  - query: x'),
  );
  assert.deepEqual(
    bad.map((p) => [p.line, p.key]),
    [
      [4, 'sql[0].supports.oracle'],
      [6, 'sql[1].query'],
      [6, 'sql[1].sql'],
    ],
  );
});

test('supports: an invalid range, an unknown flavor, no flavor at all, an unquoted range', () => {
  assertOneProblem(`${VALID}supports: {mysql: "~8"}\n`, {
    line: 10,
    key: 'supports.mysql',
    message: /invalid version range/,
  });
  assertOneProblem(`${VALID}supports: {postgres: "*"}\n`, {
    line: 10,
    key: 'supports.postgres',
    message: /unknown key/,
  });
  const none = problemsOf(`${VALID}supports: {}\n`);
  assert.match(none[0]!.message, /never run/);
  assertOneProblem(`${VALID}supports: {mysql: 8}\n`, {
    line: 10,
    key: 'supports.mysql',
    message: /quote it/,
  });
  const unquoted = problemsOf(`${VALID}supports:\n  mysql: >=8.0\n`);
  assert.match(unquoted[0]!.message, /quote values that start with >/);
});

test('scale and value_map types', () => {
  assertOneProblem(withMetric('    scale: fast\n'), {
    line: 10,
    key: 'metrics[0].scale',
    message: /finite number/,
  });
  assertOneProblem(withMetric('    scale: 0\n'), { line: 10, key: 'metrics[0].scale', message: /not be 0/ });
  assertOneProblem(withMetric('    value_map: {ONLINE: up}\n'), {
    line: 10,
    key: 'metrics[0].value_map.ONLINE',
    message: /finite number/,
  });
  assertOneProblem(withMetric('    value_map: {}\n'), {
    line: 10,
    key: 'metrics[0].value_map',
    message: /at least one/,
  });
});

test('missing_table must be error or empty', () => {
  assertOneProblem(`${VALID}missing_table: ignore\n`, {
    line: 10,
    key: 'missing_table',
    message: /error or empty/,
  });
});

test('aliases resolve to their anchor; merge keys are refused', () => {
  const spec = specOf(
    VALID.replace('help: An example.', 'help: &h An example.').replace(
      '    help: Rows read.',
      '    help: *h',
    ),
  );
  assert.equal(spec.metrics[0]?.help, 'An example.');
  assertOneProblem(withMetric('    <<: {scale: 2}\n'), {
    line: 10,
    key: 'metrics[0].<<',
    message: /merge keys/,
  });
});

test('an empty file and a file that is not a mapping', () => {
  assert.match(problemsOf('')[0]!.message, /empty/);
  assert.match(problemsOf('# only a comment\n')[0]!.message, /empty/);
  assert.match(problemsOf('- a\n- b\n')[0]!.message, /expected a mapping/);
});

test('duplicate metric names within one file', () => {
  const text = `${VALID}  - name: mysql_example_rows_read_total\n    help: Again.\n    type: counter\n    value: rows_read\n`;
  assertOneProblem(text, { line: 10, key: 'metrics', message: /defined twice in this file/ });
});

test('every problem in a file is reported at once', () => {
  const text = `name: Bad Name
help: 1
sql: UPDATE t SET a = 1
extra: x
metrics:
  - name: bad-name
    help: h
    type: summary
    value: v
`;
  const keys = problemsOf(text).map((p) => `${p.line}:${p.key}`);
  assert.deepEqual(
    keys.sort(),
    ['1:name', '2:help', '3:sql', '4:extra', '6:metrics[0].name', '8:metrics[0].type'].sort(),
  );
});
