/**
 * The exporters under test as child processes, so that each one's CPU time (utime + stime from
 * /proc/<pid>/stat) and memory (VmRSS, VmHWM from /proc/<pid>/status) can be read on its own.
 *
 * Ours runs as users run it: compiled with tsc (BENCH_OURS=dist, the default) into bench/dist, or
 * straight from the sources with tsx (BENCH_OURS=tsx; tsx's loader thread adds memory). Extra Node
 * flags come from BENCH_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=bench/profiles`). BENCH_OURS_ROOT
 * builds ours from another tree (e.g. `git archive` of an older commit, with node_modules linked).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { launchFlags } from '../../src/runtime/v8-tuning.js';
import { freePort } from '../../test/helpers/mariadb.js';
import { tempDir } from '../../test/helpers/tmp.js';
import { tempDirs } from './db.js';
import { processCpuMs } from './cpu.js';
import { log } from './log.js';

export type Side = 'ours' | 'theirs';

const ROOT = resolve(import.meta.dirname, '..', '..');
/** Where ours is built from: this checkout, or another tree for A/B runs (BENCH_OURS_ROOT). */
const OURS_ROOT = resolve(process.env.BENCH_OURS_ROOT ?? ROOT);
// `dist` folders are ignored by git and biome alike.
const BUILD_DIR = join(OURS_ROOT, 'bench', 'dist');
const REFERENCE = 'prometheus-mysqld-exporter';

export function referencePath(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = join(dir || '.', REFERENCE);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** Compiles src/ once per run so that ours starts as `node dist/src/cli.js` does. */
export function buildOurs(): string {
  if ((process.env.BENCH_OURS ?? 'dist') === 'tsx') return join(OURS_ROOT, 'src', 'cli.ts');
  log('compiling the exporter (tsc -p tsconfig.build.json) into bench/dist');
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(
      process.execPath,
      [
        tsc,
        '-p',
        'tsconfig.build.json',
        '--outDir',
        BUILD_DIR,
        '--declaration',
        'false',
        '--sourceMap',
        'false',
      ],
      {
        cwd: OURS_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
  } catch (err) {
    // tsc still emits on type errors (e.g. someone else's edit in progress in a shared checkout).
    const out = String((err as { stdout?: Buffer }).stdout ?? '');
    log(`WARNING: tsc reported errors; measuring what it emitted:\n${out.slice(0, 2000)}`);
  }
  const cli = join(BUILD_DIR, 'src', 'cli.js');
  if (!existsSync(cli)) throw new Error(`tsc did not produce ${cli}`);
  return cli;
}

export function writeCnf(port: number, user: string, password: string): string {
  const dir = tempDir('mysql-exporter-bench-');
  tempDirs.push(dir);
  const p = join(dir, 'my.cnf');
  writeFileSync(p, `[client]\nhost = 127.0.0.1\nport = ${port}\nuser = ${user}\npassword = "${password}"\n`, {
    mode: 0o600,
  });
  return p;
}

/** Every exporter started, killed when the benchmark exits however it exits. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

export interface Memory {
  readonly rssMiB: number;
  readonly hwmMiB: number;
}

export class ExporterProcess {
  private readonly logTail: string[] = [];
  private constructor(
    readonly side: Side,
    readonly url: string,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      this.logTail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      if (this.logTail.length > 50) this.logTail.splice(0, this.logTail.length - 50);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get logs(): readonly string[] {
    return this.logTail;
  }

  static async start(
    side: Side,
    entry: string,
    cnf: string,
    args: readonly string[],
  ): Promise<ExporterProcess> {
    const port = await freePort();
    const common = [`--config.my-cnf=${cnf}`, `--web.listen-address=127.0.0.1:${port}`, ...args];
    let child: ChildProcess;
    if (side === 'ours') {
      const nodeArgs = [
        // The flags the command would relaunch itself with (a sidecar's, or a fleet's with /probe).
        ...launchFlags(common),
        ...(process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
      ];
      const loader = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
      child = spawn(process.execPath, [...nodeArgs, ...loader, entry, ...common], {
        cwd: OURS_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NODE_ENV: 'production' },
      });
    } else {
      child = spawn(entry, common, { stdio: ['ignore', 'pipe', 'pipe'] });
    }
    running.add(child);
    child.once('exit', () => running.delete(child));
    const p = new ExporterProcess(side, `http://127.0.0.1:${port}`, child);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) break;
      try {
        const r = await fetch(`${p.url}/`);
        await r.arrayBuffer();
        if (r.ok) return p;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    throw new Error(`${side} exporter did not start:\n${p.logTail.join('\n')}`);
  }

  /** User + system CPU time of the process so far, in ms (10 ms resolution). */
  cpuMs(): number {
    return processCpuMs(this.pid);
  }

  memory(): Memory {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kib = (key: string) =>
      Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rssMiB: kib('VmRSS') / 1024, hwmMiB: kib('VmHWM') / 1024 };
  }

  /** SIGTERM (ours shuts down gracefully, writing a --cpu-prof profile), SIGKILL after 15 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}
