/**
 * `npm run demo` when port 9104 is taken: it listens on a free port instead and says which, or, when the
 * user named the taken address, says which flag to change and exits. The demo is pointed at a closed
 * port (`--mysqld.address`), so it starts no database: these tests are about the listen address.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { type Server, createServer } from 'node:net';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { freePort } from '../helpers/mariadb.js';
import { poll } from '../helpers/poll.js';
import { tempDir } from '../helpers/tmp.js';

const ROOT = new URL('../..', import.meta.url).pathname;

/** Holds 127.0.0.1:port (or finds it already held by another process: taken either way). */
async function occupy(port: number): Promise<Server | undefined> {
  const s = createServer();
  return new Promise((resolve, reject) => {
    s.once('error', (err: NodeJS.ErrnoException) =>
      err.code === 'EADDRINUSE' ? resolve(undefined) : reject(err),
    );
    s.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve(s));
  });
}

function demo(
  args: string[],
  extraEnv: Record<string, string> = {},
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const home = tempDir('mysql-exporter-demo-home-');
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/demo.ts'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: home, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

let held: Server | undefined;
before(async () => {
  held = await occupy(9104);
});
after(() => held?.close());

test('npm run demo: 9104 taken, it listens on a free port, says which, and serves /metrics there', async (t) => {
  const d = demo(['--mysqld.address=127.0.0.1:1', '--mysqld.username=nobody']);
  t.after(async () => {
    if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGKILL');
    await d.exited;
  });
  const port = await poll('the demo did not report its port', 60_000, async () => {
    if (d.child.exitCode !== null) throw new Error(`the demo exited:\n${d.output()}`);
    const m =
      /port 9104 is already in use: listening on 127\.0\.0\.1:(\d+) instead \(choose one with --web\.listen-address=/.exec(
        d.output(),
      );
    return m ? Number(m[1]) : undefined;
  });
  assert.notEqual(port, 9104);
  const body = await poll('the demo exporter did not answer', 60_000, async () => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
    return res?.ok ? res.text() : undefined;
  });
  assert.match(body, /^mysql_up 0$/m);
  d.child.kill('SIGINT');
  assert.equal(await d.exited, 0, d.output());
});

test('npm run demo: a taken address given with --web.listen-address exits 1 and names the flag', async () => {
  const port = await freePort();
  const busy = await occupy(port);
  assert.ok(busy, `port ${port} was taken between freePort() and listen`);
  try {
    const d = demo(['--mysqld.address=127.0.0.1:1', `--web.listen-address=127.0.0.1:${port}`]);
    assert.equal(await d.exited, 1, d.output());
    assert.match(
      d.output(),
      new RegExp(`127\\.0\\.0\\.1:${port} is already in use: pick another port with --web\\.listen-address=`),
    );
  } finally {
    busy.close();
  }
});

test('npm run demo: Ctrl-C while its throwaway MariaDB is starting leaves nothing in the temp directory', async (t) => {
  // The demo's own temp directory, so that what it leaves behind can be seen (its HOME keeps the
  // MariaDB template cache, as documented).
  const tmp = tempDir('mysql-exporter-demo-tmp-');
  const d = demo(['--web.listen-address=127.0.0.1:0'], { TMPDIR: tmp });
  t.after(async () => {
    if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGKILL');
    await d.exited;
  });
  await poll(
    'the demo did not start its MariaDB',
    60_000,
    async () => {
      if (d.child.exitCode !== null) throw new Error(`the demo exited:\n${d.output()}`);
      return readdirSync(tmp).some((f) => f.startsWith('mysql-exporter-db-')) ? true : undefined;
    },
    10,
  );
  d.child.kill('SIGINT');
  await d.exited;
  // tsx's compile cache (`tsx-0`) is made once per machine, as the README says; nothing of ours stays.
  assert.deepEqual(
    readdirSync(tmp).filter((f) => f.startsWith('mysql-exporter-')),
    [],
    d.output(),
  );
});
