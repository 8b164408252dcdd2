/**
 * `npm pack` produces a package with the built CLI, type declarations and queries/, and the packed
 * CLI runs from the unpacked tarball (dependencies resolved from this checkout's node_modules).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';

const ROOT = new URL('../..', import.meta.url).pathname;

test('npm pack: built CLI, types and queries/, and the packed CLI starts', () => {
  const dir = mkdtempSync(join(ROOT, '.pack-test-'));
  try {
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [info] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
    assert.ok(info);
    const files = new Set(info.files.map((f) => f.path));
    for (const f of [
      'dist/src/cli.js',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'queries/info_schema.innodb_cmp.yaml',
      'README.md',
      'package.json',
    ])
      assert.ok(files.has(f), `${f} is in the package`);
    for (const f of files)
      assert.ok(
        !f.startsWith('test/') && !f.startsWith('src/') && !f.includes('fixtures'),
        `${f} should not be packed`,
      );
    execFileSync('tar', ['-xzf', join(dir, info.filename), '-C', dir]);
    const cli = join(dir, 'package', 'dist', 'src', 'cli.js');
    assert.match(readFileSync(cli, 'utf8'), /^#!\/usr\/bin\/env node\n/);
    const pkg = JSON.parse(readFileSync(join(dir, 'package', 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    assert.equal(pkg.bin['mysql-exporter'], 'dist/src/cli.js');
    const help = spawnSync(process.execPath, [cli, '--help'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: dir },
    });
    assert.equal(help.status, 0, help.stderr);
    // As npm links the bin: executed through its shebang.
    chmodSync(cli, 0o755);
    const direct = spawnSync(cli, ['--version'], {
      encoding: 'utf8',
      env: { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, HOME: dir },
    });
    assert.equal(direct.status, 0, direct.stderr);
    assert.match(direct.stdout, /^mysql-exporter, version /);
    // The packed built-in query files were found and became collectors with flags.
    assert.match(help.stdout, /--\[no-\]collect\.info_schema\.innodb_cmp\b/);
    assert.ok(readdirSync(join(dir, 'package', 'queries')).length >= 10);
    assert.ok(existsSync(join(dir, 'package', 'queries', 'examples')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
