/** Shared helpers for the declarative (query file) tests. */
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseQueryFile } from '../../../src/declarative/parse-spec.js';
import type { QuerySpec } from '../../../src/declarative/spec.js';
import { type ConfigProblem, formatProblem } from '../../../src/errors.js';
import { tempDir as makeTempDir } from '../../helpers/tmp.js';

/** A valid query file; tests replace parts of it. */
export const VALID = `name: custom.example
help: An example.
sql: SELECT schema_name, table_name, rows_read, state FROM t
metrics:
  - name: mysql_example_rows_read_total
    help: Rows read.
    type: counter
    labels: {schema: schema_name, table: table_name}
    value: rows_read
`;

export function problemsOf(text: string, file = 'q.yaml'): readonly ConfigProblem[] {
  return parseQueryFile(file, text).problems;
}

export function specOf(text: string, file = 'q.yaml'): QuerySpec {
  const parsed = parseQueryFile(file, text);
  assert.deepEqual(parsed.problems.map(formatProblem), []);
  assert.ok(parsed.spec);
  return parsed.spec;
}

/** Asserts exactly one problem, at `line` and `key`, whose message matches `message`. */
export function assertOneProblem(
  text: string,
  expected: { line: number; key?: string; message: RegExp },
): ConfigProblem {
  const problems = problemsOf(text);
  assert.equal(problems.length, 1, problems.map(formatProblem).join('\n'));
  const p = problems[0]!;
  assert.equal(p.source, 'q.yaml');
  assert.equal(p.line, expected.line, formatProblem(p));
  if (expected.key !== undefined) assert.equal(p.key, expected.key, formatProblem(p));
  assert.match(p.message, expected.message);
  assert.match(formatProblem(p), new RegExp(`^q\\.yaml:${expected.line}: `));
  return p;
}

export async function tempDir(
  files: Record<string, string>,
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = makeTempDir('mysql-exporter-queries-');
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A controllable monotonic clock (ms). */
export function fakeClock(start = 1000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}
