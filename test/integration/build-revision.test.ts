/**
 * From a fresh clone of this repository: `npm run build` leaves an executable CLI, and `--version`
 * names the git revision, stamped into dist at build time, or read from the checkout when run from
 * source. The clone keeps this checkout's dist/ untouched (the npm pack test builds there too).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { freePort } from '../helpers/mariadb.js';
import { poll } from '../helpers/poll.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const PATH = `${dirname(process.execPath)}:${process.env.PATH ?? ''}`;

let dir = '';
let clone = '';
let head = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'build-revision-'));
  clone = join(dir, 'clone');
  execFileSync('git', ['clone', '--quiet', '--shared', ROOT, clone], { stdio: 'pipe' });
  symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'));
  head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: clone, encoding: 'utf8' }).trim();
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function revisionOf(stdout: string): string {
  const m = /\(revision: ([^)]*)\)/.exec(stdout);
  assert.ok(m, `no revision in ${JSON.stringify(stdout)}`);
  return m[1]!;
}

test('npm run build in a clone: dist/src/cli.js is executable and --version names the commit', () => {
  execFileSync('npm', ['run', 'build'], { cwd: clone, stdio: ['ignore', 'ignore', 'pipe'] });
  const cli = join(clone, 'dist', 'src', 'cli.js');
  assert.equal(statSync(cli).mode & 0o111, 0o111, 'cli.js is executable by owner, group and others');
  // Executed directly (through its shebang), as npm's bin link or a user would.
  const r = spawnSync(cli, ['--version'], { encoding: 'utf8', env: { PATH, HOME: dir } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(revisionOf(r.stdout), head);

  // A copy of the build outside any checkout keeps the revision stamped at build time.
  const copy = join(dir, 'copy');
  cpSync(join(clone, 'dist', 'src'), join(copy, 'dist', 'src'), { recursive: true });
  cpSync(join(clone, 'package.json'), join(copy, 'package.json'));
  cpSync(join(clone, 'queries'), join(copy, 'queries'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
  const c = spawnSync(process.execPath, [join(copy, 'dist', 'src', 'cli.js'), '--version'], {
    cwd: copy,
    encoding: 'utf8',
    env: { PATH, HOME: dir },
  });
  assert.equal(c.status, 0, c.stderr);
  assert.equal(revisionOf(c.stdout), head);
});

test('run from source in a clone: --version names the checkout revision; MYSQL_EXPORTER_REVISION overrides it', () => {
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(clone, 'src', 'cli.ts'), '--version'], {
      cwd: clone,
      encoding: 'utf8',
      env: { PATH, HOME: dir, ...env },
    });
  const r = run({});
  assert.equal(r.status, 0, r.stderr);
  assert.equal(revisionOf(r.stdout), head);
  const o = run({ MYSQL_EXPORTER_REVISION: 'v1.2.3-ci' });
  assert.equal(revisionOf(o.stdout), 'v1.2.3-ci');
});

test('npm start: a SIGTERM to npm alone (as a supervisor sends it) stops the exporter', async () => {
  // The build of the first test; built here too when this test runs alone.
  if (spawnSync('test', ['-x', join(clone, 'dist', 'src', 'cli.js')]).status !== 0)
    execFileSync('npm', ['run', 'build'], { cwd: clone, stdio: ['ignore', 'ignore', 'pipe'] });
  const port = await freePort();
  const npm = spawn(
    'npm',
    [
      'start',
      '--',
      '--mysqld.address=127.0.0.1:1',
      '--mysqld.username=nobody',
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { cwd: clone, detached: true, stdio: 'ignore', env: { PATH, HOME: dir } },
  );
  const listening = async () => {
    try {
      return (await fetch(`http://127.0.0.1:${port}/-/healthy`)).ok;
    } catch {
      return false;
    }
  };
  try {
    await poll('npm start did not serve /-/healthy', 30_000, async () =>
      (await listening()) ? true : undefined,
    );
    process.kill(npm.pid!, 'SIGTERM');
    await poll('the exporter still listens after SIGTERM to npm', 20_000, async () =>
      (await listening()) ? undefined : true,
    );
  } finally {
    // Whatever is left of the group (npm, its shell, the exporter).
    try {
      process.kill(-npm.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});
