/**
 * The command as npm installs it (`npm pack`, then `npm install -g --prefix`): a symlink to the
 * built cli.js run through its `#!/usr/bin/env node` shebang. Started that way, node has none of the
 * V8 launch flags; the command relaunches itself with them in the same process (same PID), so it
 * sizes its heap like `npm start` and the image.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { LAUNCH_FLAGS } from '../../src/runtime/v8-tuning.js';
import { freePort } from '../helpers/mariadb.js';
import { poll } from '../helpers/poll.js';
import { tempDir } from '../helpers/tmp.js';

const ROOT = new URL('../..', import.meta.url).pathname;
let prefix = '';

before(() => {
  const dir = tempDir('mysql-exporter-install-');
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [info] = JSON.parse(out) as Array<{ filename: string }>;
  assert.ok(info);
  prefix = join(dir, 'prefix');
  // Dependencies come from npm's cache (this checkout's `npm ci` filled it); the registry otherwise.
  execFileSync(
    'npm',
    [
      'install',
      '-g',
      '--prefix',
      prefix,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      join(dir, info.filename),
    ],
    {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, npm_config_loglevel: 'error' },
    },
  );
});

let child: ChildProcess | undefined;
after(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child?.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
});

test('the npm-installed command runs with the launch flags, relaunched in place (same PID)', async () => {
  const bin = join(prefix, 'bin', 'mysql-exporter');
  assert.match(readFileSync(bin, 'utf8'), /^#!\/usr\/bin\/env node\n/);
  const port = await freePort();
  const args = [
    '--mysqld.address=127.0.0.1:1',
    '--mysqld.username=nobody',
    `--web.listen-address=127.0.0.1:${port}`,
  ];
  child = spawn(bin, args, {
    env: { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, HOME: prefix },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (b: Buffer) => {
    log += b.toString();
  });
  child.stderr?.on('data', (b: Buffer) => {
    log += b.toString();
  });
  const c = child;
  const metrics = await poll('the installed command did not serve /metrics', 30_000, async () => {
    if (c.exitCode !== null) throw new Error(`it exited with ${c.exitCode}`);
    const r = await fetch(`http://127.0.0.1:${port}/metrics`);
    return r.ok ? r.text() : undefined;
  }).catch((err: Error) => assert.fail(`${err.message}\n${log}`));
  assert.match(metrics, /^mysql_up 0$/m);
  // The PID we started is the one serving, now with node's launch flags on its command line.
  const argv = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  assert.equal(argv[0], process.execPath);
  assert.deepEqual(argv.slice(1, 1 + LAUNCH_FLAGS.length), [...LAUNCH_FLAGS]);
  assert.match(argv[1 + LAUNCH_FLAGS.length] ?? '', /\/mysql-exporter(\/dist\/src\/cli\.js)?$/);
  assert.deepEqual(argv.slice(2 + LAUNCH_FLAGS.length), args);
  const { pid } = child;
  assert.ok(readdirSync('/proc').includes(String(pid)));
  const exited = new Promise<number | null>((r) => child?.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  assert.equal(await exited, 0, log);
});
