/** loadQueryFiles: directories -> collector definitions, or one ConfigError with every problem. */
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { builtinQueriesDir } from '../../../src/declarative/builtin-dir.js';
import { loadQueryFiles } from '../../../src/declarative/loader.js';
import { ConfigError, formatProblem } from '../../../src/errors.js';
import { tempDir, VALID } from './helpers.js';

const other = (collector: string, metric: string) =>
  VALID.replace('custom.example', collector).replace('mysql_example_rows_read_total', metric);

async function problemsOf(dirs: string[], opts = {}): Promise<string[]> {
  try {
    await loadQueryFiles(dirs, opts);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems.map(formatProblem);
  }
  assert.fail('expected a ConfigError');
}

test('reads *.yaml and *.yml in name order, ignores other files and sub-directories', async () => {
  const { dir, cleanup } = await tempDir({
    'b.yml': other('custom.b', 'mysql_b_total'),
    'a.yaml': other('custom.a', 'mysql_a_total'),
    'notes.txt': 'not yaml',
  });
  try {
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'c.yaml'), other('custom.c', 'mysql_c_total'));
    await symlink(join(dir, 'a.yaml'), join(dir, 'link.yaml')).catch(() => {});
    const loaded = await loadQueryFiles([dir]);
    assert.deepEqual(
      loaded.files.map((f) => f.slice(dir.length + 1)),
      ['a.yaml', 'b.yml', 'link.yaml'],
    );
    assert.fail('the symlinked copy duplicates custom.a');
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    assert.deepEqual(
      err.problems.map((p) => [p.source.slice(dir.length + 1), p.line, p.key]),
      [
        ['link.yaml', 1, 'name'],
        ['link.yaml', 5, 'metrics[0].name'],
      ],
    );
  } finally {
    await cleanup();
  }
});

test('collector definitions carry name, help and default, and create collectors', async () => {
  const { dir, cleanup } = await tempDir({
    'a.yaml': `${other('custom.a', 'mysql_a_total')}enabled_by_default: false\n`,
  });
  try {
    const loaded = await loadQueryFiles([dir]);
    const def = loaded.collectors[0]!;
    assert.equal(def.name, 'custom.a');
    assert.equal(def.help, 'An example.');
    assert.equal(def.enabledByDefault, false);
    const c = def.create(new Map());
    assert.equal(c.name, 'custom.a');
    assert.notEqual(def.create(new Map()), c);
  } finally {
    await cleanup();
  }
});

test('duplicate collector and metric names across files, with where the first one is', async () => {
  const one = await tempDir({ 'a.yaml': other('custom.a', 'mysql_a_total') });
  const two = await tempDir({ 'z.yaml': other('custom.a', 'mysql_a_total') });
  try {
    const problems = await problemsOf([one.dir, two.dir]);
    assert.deepEqual(problems, [
      `${two.dir}/z.yaml:1: name: collector "custom.a" is already defined in ${one.dir}/a.yaml:1`,
      `${two.dir}/z.yaml:5: metrics[0].name: metric "mysql_a_total" is already defined in ${one.dir}/a.yaml:5`,
    ]);
  } finally {
    await one.cleanup();
    await two.cleanup();
  }
});

test('names of built-in query files, hand-written collectors and their metrics are taken', async () => {
  const { dir, cleanup } = await tempDir({
    'a.yaml': other('info_schema.innodb_cmp', 'mysql_info_schema_innodb_cmp_compress_ops_total'),
    'b.yaml': other('global_status', 'mysql_global_status_uptime_total'),
  });
  try {
    const problems = await problemsOf([builtinQueriesDir(), dir], {
      reservedCollectorNames: ['global_status'],
      reservedMetricNames: ['mysql_global_status_uptime_total'],
    });
    assert.equal(problems.length, 4, problems.join('\n'));
    assert.match(
      problems[0]!,
      /a\.yaml:1: name: collector "info_schema.innodb_cmp" is already defined in .*queries\/info_schema\.innodb_cmp\.yaml:2/,
    );
    assert.match(
      problems[1]!,
      /a\.yaml:5: metrics\[0\]\.name: metric "mysql_info_schema_innodb_cmp_compress_ops_total" is already defined in .*innodb_cmp\.yaml:\d+/,
    );
    assert.match(problems[2]!, /b\.yaml:1: name: "global_status" is a built-in collector/);
    assert.match(
      problems[3]!,
      /b\.yaml:5: metrics\[0\]\.name: metric "mysql_global_status_uptime_total" is exported by a built-in collector/,
    );
  } finally {
    await cleanup();
  }
});

test('every problem in every file and directory is reported at once', async () => {
  const { dir, cleanup } = await tempDir({
    'a.yaml': VALID.replace('type: counter', 'type: histogram'),
    'b.yaml': VALID.replace('custom.example', 'custom.b').replace(/^sql: .*$/m, 'sql: DELETE FROM t1.t'),
    'c.yaml': 'name: [\n',
  });
  try {
    const err = await loadQueryFiles([dir, join(dir, 'missing')]).catch((e: unknown) => e);
    assert.ok(err instanceof ConfigError);
    assert.deepEqual(
      err.problems.map((p) => [p.source.replace(dir, '.'), p.line, p.key]),
      [
        ['./missing', undefined, undefined],
        ['./a.yaml', 7, 'metrics[0].type'],
        ['./b.yaml', 3, 'sql'],
        ['./c.yaml', 2, undefined],
      ],
    );
    assert.match(err.problems[0]!.message, /cannot read the query directory: does not exist/);
    assert.equal(err.message.split('\n').length, 4);
  } finally {
    await cleanup();
  }
});

test('a directory listed twice is read once', async () => {
  const { dir, cleanup } = await tempDir({ 'a.yaml': VALID });
  try {
    const loaded = await loadQueryFiles([dir, `${dir}/`]);
    assert.equal(loaded.specs.length, 1);
  } finally {
    await cleanup();
  }
});

test('reload: callable again, no global state; a failed load does not affect a later one', async () => {
  const { dir, cleanup } = await tempDir({ 'a.yaml': VALID });
  try {
    const first = await loadQueryFiles([dir]);
    await writeFile(join(dir, 'a.yaml'), VALID.replace('type: counter', 'type: bogus'));
    await assert.rejects(loadQueryFiles([dir]), ConfigError);
    await writeFile(join(dir, 'a.yaml'), VALID.replace('custom.example', 'custom.renamed'));
    const third = await loadQueryFiles([dir]);
    assert.equal(first.specs[0]?.name, 'custom.example');
    assert.equal(third.specs[0]?.name, 'custom.renamed');
  } finally {
    await cleanup();
  }
});

test('builtinQueriesDir finds the package queries/ from src and from a dist build', () => {
  const fromSrc = builtinQueriesDir();
  assert.match(fromSrc, /\/queries$/);
  const root = fromSrc.slice(0, -'/queries'.length);
  assert.equal(builtinQueriesDir(`file://${root}/dist/src/declarative/builtin-dir.js`), fromSrc);
  assert.throws(() => builtinQueriesDir('file:///nonexistent/a/b/c.js'), /cannot find the built-in queries/);
});
