/**
 * `npm run build` leaves an executable CLI, and `--version` names the git revision of the checkout:
 * stamped into dist at build time, read from the checkout when run from source.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';

const ROOT = new URL('../..', import.meta.url).pathname;
const HEAD = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
const PATH = `${dirname(process.execPath)}:${process.env.PATH ?? ''}`;

function revisionOf(stdout: string): string {
  const m = /\(revision: ([^)]*)\)/.exec(stdout);
  assert.ok(m, `no revision in ${JSON.stringify(stdout)}`);
  return m[1]!;
}

test('npm run build: dist/src/cli.js is executable and --version names the built commit', () => {
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const cli = join(ROOT, 'dist', 'src', 'cli.js');
  assert.equal(statSync(cli).mode & 0o111, 0o111, 'cli.js is executable by owner, group and others');
  // Executed directly (through its shebang), as npm's bin link or a user would.
  const r = spawnSync(cli, ['--version'], { encoding: 'utf8', env: { PATH, HOME: ROOT } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(revisionOf(r.stdout), HEAD);

  // A copy of the build outside any checkout keeps the revision stamped at build time.
  const dir = mkdtempSync(join(ROOT, '.pack-test-rev-'));
  try {
    cpSync(join(ROOT, 'dist', 'src'), join(dir, 'dist', 'src'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    const copy = spawnSync(process.execPath, [join(dir, 'dist', 'src', 'cli.js'), '--version'], {
      encoding: 'utf8',
      env: { PATH, HOME: dir, GIT_DIR: join(dir, 'no-such-git-dir') },
    });
    assert.equal(copy.status, 0, copy.stderr);
    assert.equal(revisionOf(copy.stdout), HEAD);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('run from source: --version names the checkout revision; MYSQL_EXPORTER_REVISION overrides it', () => {
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), '--version'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH, HOME: ROOT, ...env },
    });
  const r = run({});
  assert.equal(r.status, 0, r.stderr);
  assert.equal(revisionOf(r.stdout), HEAD);
  const o = run({ MYSQL_EXPORTER_REVISION: 'v1.2.3-ci' });
  assert.equal(revisionOf(o.stdout), 'v1.2.3-ci');
});
