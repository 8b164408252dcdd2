/**
 * The command itself, as a child process: --help/--version, exit codes and messages for bad flags,
 * bad option files and missing query directories, SIGTERM shutdown, and the npm package contents.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { test } from 'node:test';
import { freePort } from '../helpers/mariadb.js';
import { tempDir } from '../helpers/tmp.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const CLI = ['--import', 'tsx', join(ROOT, 'src/cli.ts')];
const CANARY = 'Cn4ry#?@x;"\' %/=+ü';

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [...CLI, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...env },
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('--help lists the flags; --version prints the version', () => {
  const help = run(['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--web\.listen-address/);
  assert.match(help.stdout, /--\[no-\]collect\.global_status/);
  assert.match(help.stdout, /--collect\.info_schema\.processlist\.min_time/);
  const version = run(['--version']);
  assert.equal(version.status, 0);
  assert.match(version.stdout, /^mysql-exporter, version \d+\.\d+\.\d+/);
});

test('bad flags exit 2 and name every problem', () => {
  const r = run(['--web.listen-adress=:1', '--exporter.max_open_connections=0', '--log.level=loud']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--web\.listen-adress: unknown flag/);
  assert.match(r.stderr, /--exporter\.max_open_connections: must be at least 1/);
  assert.match(r.stderr, /--log\.level: expected one of debug, info, warn, error/);
});

test('a broken option file exits 2 with file, line and key, never the password', () => {
  const dir = tempDir('cli-test-');
  const cnf = join(dir, 'my.cnf');
  writeFileSync(cnf, `[client]\nuser = exporter\npassword = ${CANARY}\nport = 33x06\n`);
  const r = run([`--config.my-cnf=${cnf}`]);
  assert.equal(r.status, 2);
  assert.ok(r.stderr.includes(`${cnf}:4`), r.stderr);
  assert.match(r.stderr, /port/);
  assert.ok(!r.stderr.includes('Cn4ry'), 'the password must not appear');
  const missing = run([`--config.my-cnf=${join(dir, 'nope.cnf')}`]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /nope\.cnf.*not found/);
  const queries = run([`--queries.dir=${join(dir, 'no-such-dir')}`]);
  assert.equal(queries.status, 2);
  assert.match(queries.stderr, /no-such-dir/);
});

test('SIGHUP reloads (a broken file keeps the running config), SIGTERM stops the server and exits 0', async () => {
  const port = await freePort();
  const dir = tempDir('cli-test-');
  const cnf = join(dir, 'my.cnf');
  writeFileSync(cnf, '[client]\nhost = 127.0.0.1\nport = 1\nuser = exporter\npassword = x\n');
  const child = spawn(
    process.execPath,
    [...CLI, `--web.listen-address=127.0.0.1:${port}`, `--config.my-cnf=${cnf}`],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: tmpdir() },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += String(d);
  });
  const deadline = Date.now() + 20_000;
  let up = false;
  while (Date.now() < deadline && !up) {
    try {
      up = (await fetch(`http://127.0.0.1:${port}/-/healthy`)).ok;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  assert.ok(up, `the exporter did not start: ${stderr}`);
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  assert.match(metrics, /^mysql_up 0$/m);
  assert.match(metrics, /^mysql_exporter_config_last_reload_successful 1$/m);
  writeFileSync(cnf, '[client]\nport = 1\n');
  child.kill('SIGHUP');
  let reloaded = '';
  for (let i = 0; i < 50 && !/reload_successful 0/.test(reloaded); i++) {
    await new Promise((r) => setTimeout(r, 100));
    reloaded = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  }
  assert.match(reloaded, /^mysql_exporter_config_last_reload_successful 0$/m);
  assert.match(reloaded, /^mysql_up 0$/m, 'still serving with the old configuration');
  assert.match(stderr, /configuration reload failed/);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.match(stderr, /msg=stopped/);
});

test('--web.systemd-socket serves on the inherited descriptor (LISTEN_FDS/LISTEN_PID)', async () => {
  const listener = createNetServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as AddressInfo).port;
  const fd = (listener as unknown as { _handle: { fd: number } })._handle.fd;
  const child = spawn(
    'sh',
    [
      '-c',
      'LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" "$@"',
      process.execPath,
      ...CLI,
      '--web.systemd-socket',
      '--mysqld.address=127.0.0.1:1',
      '--mysqld.username=exporter',
    ],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: tmpdir() },
      stdio: ['ignore', 'ignore', 'pipe', fd],
    },
  );
  listener.close();
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  try {
    let status = 0;
    for (let i = 0; i < 200 && status !== 200; i++) {
      try {
        status = (await fetch(`http://127.0.0.1:${port}/-/healthy`)).status;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.equal(status, 200, stderr);
    assert.match(stderr, /msg=listening/);
  } finally {
    child.kill('SIGTERM');
  }
  const refused = run(['--web.systemd-socket', '--mysqld.username=exporter']);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /LISTEN_PID\/LISTEN_FDS/);
});

test('every flag of the Debian mysqld_exporter 0.14 is a flag of ours', () => {
  const reference = spawnSync('/usr/bin/prometheus-mysqld-exporter', ['--help-long'], { encoding: 'utf8' });
  const text = `${reference.stdout}${reference.stderr}`;
  const names = [...text.matchAll(/^\s+(?:-[a-z], )?--([a-z][a-z0-9._-]*)/gm)].map((m) => m[1]!);
  assert.ok(names.length > 60, `expected the reference's flag list, got ${names.length}`);
  const ours = run(['--help']).stdout;
  const listed = (n: string) =>
    new RegExp(`--(\\[no-\\])?${n.replace(/[.]/g, '\\.')}(=|\\s|$)`, 'm').test(ours);
  const missing = names.filter(
    (n) => !['help', 'version', 'help-long', 'help-man'].includes(n) && !listed(n),
  );
  assert.deepEqual(missing, []);
});

test('the command sets its V8 heap flags at start-up, unless node was given them', async () => {
  const cnf = join(tempDir('cli-test-'), 'my.cnf');
  writeFileSync(cnf, '[client]\nhost = 127.0.0.1\nport = 1\nuser = exporter\npassword = x\n');
  const start = async (nodeArgs: string[]) => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        ...nodeArgs,
        ...CLI,
        `--web.listen-address=127.0.0.1:${port}`,
        `--config.my-cnf=${cnf}`,
        '--log.level=debug',
      ],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: tmpdir() },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !/msg=listening/.test(stderr))
      await new Promise((r) => setTimeout(r, 50));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    assert.match(stderr, /msg=listening/, stderr);
    return stderr;
  };
  const tuned = await start([]);
  assert.match(tuned, /msg="V8 heap settings" flags="?--heap-growing-percent=50\b/);
  assert.doesNotMatch(tuned, /unrecognized flag/, 'V8 knows the flag');
  const own = await start(['--heap-growing-percent=100']);
  assert.doesNotMatch(own, /V8 heap settings/, "the user's own flag wins");
});
