/**
 * Default-collector RSS of the three ways users start the exporter, on the benchmark's server
 * (BENCH_TABLES tables, 2000 by default): `npm start` (node dist/src/cli.js, which relaunches itself with LAUNCH_FLAGS), the command installed
 * by npm (npm pack + npm install -g into a temporary prefix: shebang, relaunch), and the container image
 * (podman, host network; the image test builds localhost/mysql-exporter:test). Each serves
 * BENCH_SCRAPES (200) sequential scrapes of /metrics, then its VmRSS and VmHWM (peak) are read from
 * /proc. Run with the Node you want to measure first on PATH: `node --import tsx bench/launchers.ts`.
 * One process's RSS varies by +-15 MiB from run to run (when its last GCs fell): repeat launchers with
 * BENCH_LAUNCHERS (e.g. 0,1,3,1,3,0,3,0,1) and read the medians.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAUNCH_FLAGS } from '../src/runtime/v8-tuning.js';
import { freePort } from '../test/helpers/mariadb.js';
import { poll } from '../test/helpers/poll.js';
import { tempDir } from '../test/helpers/tmp.js';
import { USERS, createFixtures, createUsers, startBenchDb } from './lib/db.js';

const ROOT = join(import.meta.dirname, '..');
const TABLES = Number(process.env.BENCH_TABLES ?? 2000);
const SCRAPES = Number(process.env.BENCH_SCRAPES ?? 200);
const IMAGE = process.env.BENCH_IMAGE ?? 'localhost/mysql-exporter:test';
const PODMAN = ['--runtime', 'runc'];
const ULIMITS = ['--ulimit', 'nofile=4096:4096', '--ulimit', 'nproc=4096:4096'];

function memory(pid: number): { rss: number; hwm: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mib = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) / 1024;
  return { rss: mib('VmRSS'), hwm: mib('VmHWM'), anon: mib('RssAnon'), file: mib('RssFile') };
}

async function scrapeAll(port: number): Promise<void> {
  await poll('exporter not ready', 60_000, async () =>
    (await fetch(`http://127.0.0.1:${port}/metrics`)).ok ? true : undefined,
  );
  for (let i = 0; i < SCRAPES; i++) {
    const r = await fetch(`http://127.0.0.1:${port}/metrics`);
    const body = await r.text();
    if (!/^mysql_up 1$/m.test(body)) throw new Error(`scrape ${i}: mysql_up is not 1`);
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const db = await startBenchDb({ tables: TABLES, probeTargets: 0 });
const rows: string[] = [];
const samples = new Map<string, Array<{ rss: number; hwm: number; anon: number; file: number }>>();
const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
};
try {
  await createUsers(db);
  await createFixtures(db, TABLES);
  const dir = tempDir('mysql-exporter-launchers-');
  const cnf = join(dir, 'my.cnf');
  const { user, password } = USERS.ours;
  execFileSync('sh', ['-c', `umask 022; cat > ${cnf}`], {
    input: `[client]\nhost = 127.0.0.1\nport = ${db.port}\nuser = ${user}\npassword = "${password}"\n`,
  });
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const tgz = join(dir, (JSON.parse(out) as Array<{ filename: string }>)[0]!.filename);
  execFileSync(
    'npm',
    ['install', '-g', '--prefix', join(dir, 'p'), '--prefer-offline', '--no-audit', '--no-fund', tgz],
    {
      stdio: 'ignore',
    },
  );
  const env = { PATH: process.env.PATH ?? '', HOME: dir };

  type Launcher = {
    name: string;
    start: (port: number) => Promise<{ pid: number; end: () => Promise<void> }>;
  };
  const bin = join(dir, 'p', 'bin', 'mysql-exporter');
  /** `command …args --config.my-cnf=… --web.listen-address=…` (in `cwd` if given), stopped with stop(). */
  const direct = (name: string, command: string, args: readonly string[], cwd?: string): Launcher => ({
    name,
    start: async (port) => {
      const c = spawn(
        command,
        [...args, `--config.my-cnf=${cnf}`, `--web.listen-address=127.0.0.1:${port}`],
        { ...(cwd === undefined ? {} : { cwd }), env, stdio: 'ignore' },
      );
      return { pid: c.pid!, end: () => stop(c) };
    },
  });
  const launchers: Launcher[] = [
    direct(
      'npm start (node dist/src/cli.js, relaunched with the launch flags)',
      process.execPath,
      ['dist/src/cli.js'],
      ROOT,
    ),
    direct('installed bin (npm install -g; shebang, relaunch)', bin, []),
    direct('installed bin, started as node --max-semi-space-size=4 <bin> (no relaunch)', process.execPath, [
      ...LAUNCH_FLAGS,
      bin,
    ]),
    {
      name: `image (${IMAGE}, podman --network=host)`,
      start: async (port) => {
        const name = `mysql-exporter-bench-${process.pid}`;
        const r = spawnSync(
          'podman',
          [
            ...PODMAN,
            'run',
            '-d',
            '--rm',
            '--name',
            name,
            ...ULIMITS,
            '--network=host',
            '--read-only',
            '--health-interval=disable',
            '-v',
            `${cnf}:/etc/mysql-exporter/my.cnf:ro`,
            IMAGE,
            '--config.my-cnf=/etc/mysql-exporter/my.cnf',
            `--web.listen-address=127.0.0.1:${port}`,
          ],
          { encoding: 'utf8' },
        );
        if (r.status !== 0) throw new Error(`podman run: ${r.stderr}`);
        const pid = Number(
          execFileSync('podman', [...PODMAN, 'inspect', '--format', '{{.State.Pid}}', name], {
            encoding: 'utf8',
          }).trim(),
        );
        return { pid, end: async () => void spawnSync('podman', [...PODMAN, 'stop', '-t', '20', name]) };
      },
    },
  ];
  rows.push(`node ${process.version}, ${TABLES} tables, ${SCRAPES} sequential scrapes, default collectors`);
  // BENCH_LAUNCHERS=2,0,1: which launchers, in which order (0 npm start, 1 bin, 2 bin with flags, 3 image).
  const order = (process.env.BENCH_LAUNCHERS ?? '0,1,2,3').split(',').map(Number);
  for (const l of order.map((i) => launchers[i]!)) {
    const port = await freePort();
    const p = await l.start(port);
    try {
      await scrapeAll(port);
      const m = memory(p.pid);
      samples.set(l.name, [...(samples.get(l.name) ?? []), m]);
      rows.push(
        `${l.name}: RSS ${m.rss.toFixed(1)} MiB (anon ${m.anon.toFixed(1)}, file ${m.file.toFixed(1)}), peak ${m.hwm.toFixed(1)} MiB`,
      );
      process.stderr.write(`${rows.at(-1)}\n`);
    } finally {
      await p.end();
    }
  }
} finally {
  await db.destroy();
}
for (const [name, ms] of samples)
  rows.push(
    `median of ${ms.length}, ${name}: RSS ${median(ms.map((m) => m.rss)).toFixed(1)} MiB, peak ${median(ms.map((m) => m.hwm)).toFixed(1)} MiB`,
  );
process.stdout.write(`${rows.join('\n')}\n`);
