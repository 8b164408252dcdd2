/**
 * The exporter under fault: either in-process through the real composition root (`main()` with
 * injected I/O, as in production) or as a child process running the
 * CLI (`node --import tsx src/cli.ts`), whose RSS and descriptors are its own.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../../src/main.js';
import { LAUNCH_FLAGS } from '../../../src/runtime/v8-tuning.js';
import { cnfFor } from '../exporter.js';
import type { MariaDb } from '../mariadb.js';
import { CANARY } from './canary.js';
import { EXPORTER_USER } from './db.js';
import { type HttpOptions, type HttpResult, httpGet } from './net.js';
import { tempDir } from '../tmp.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface FaultExporter {
  readonly url: string;
  /** Every log line so far (stderr of the exporter). */
  readonly logs: string[];
  /** Every HTTP body received through `get`, for the canary scan. */
  readonly bodies: string[];
  readonly pid: number;
  readonly child: boolean;
  get(path: string, opts?: HttpOptions): Promise<HttpResult>;
  /** SIGTERM (or the injected handler) and wait for the exit code. */
  stop(): Promise<number>;
  /** Resolves with the exit code. */
  readonly exited: Promise<number>;
  /** Log lines written after `mark()` was taken. */
  since(mark: number): string[];
  mark(): number;
}

export interface StartOptions {
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Run the CLI as a child process instead of in-process. */
  readonly child?: boolean;
}

/** A .my.cnf for the exporter account of `db` (or a port), with the canary password by default. */
export function writeCnf(target: MariaDb | number, password: string = CANARY, extra = ''): string {
  const dir = tempDir('mysql-exporter-fault-');
  const p = join(dir, 'my.cnf');
  const port = typeof target === 'number' ? target : target.port;
  writeFileSync(p, cnfFor(port, EXPORTER_USER, password, extra), { mode: 0o600 });
  return p;
}

/** A directory of query files: name -> YAML text. */
export function writeQueries(files: Readonly<Record<string, string>>): string {
  const dir = tempDir('mysql-exporter-queries-');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** A one-metric query file: `name`, SQL returning a numeric column `v`, optional timeout. */
export function queryFile(name: string, sql: string, extra = '', labels = ''): string {
  return [
    `name: ${name}`,
    `help: fault-test query ${name}`,
    'sql: |',
    ...sql.split('\n').map((l) => `  ${l}`),
    extra,
    'metrics:',
    `  - name: fault_${name.replace(/\W/g, '_')}`,
    '    help: test metric',
    '    type: gauge',
    labels ? `    labels: ${labels}` : '',
    '    value: v',
    '',
  ]
    .filter((l) => l !== '')
    .join('\n');
}

function baseArgs(cnf: string): string[] {
  return [`--config.my-cnf=${cnf}`, '--web.listen-address=127.0.0.1:0', '--log.level=debug'];
}

export async function startExporter(cnf: string, opts: StartOptions = {}): Promise<FaultExporter> {
  const argv = [...baseArgs(cnf), ...(opts.args ?? [])];
  const env = { HOME: tmpdir(), ...(opts.env ?? {}) };
  return opts.child ? startChild(argv, env) : startInProcess(argv, env);
}

function wrap(
  url: string,
  logs: string[],
  pid: number,
  child: boolean,
  stop: () => Promise<number>,
  exited: Promise<number>,
): FaultExporter {
  const bodies: string[] = [];
  return {
    url,
    logs,
    bodies,
    pid,
    child,
    exited,
    async get(path, o) {
      const r = await httpGet(url + path, o);
      bodies.push(r.body);
      return r;
    },
    stop,
    mark: () => logs.length,
    since: (m) => logs.slice(m),
  };
}

const LISTENING = /msg=listening addresses=([^\s,]+)/;

async function startInProcess(argv: string[], env: Record<string, string>): Promise<FaultExporter> {
  const logs: string[] = [];
  const handlers = new Map<string, () => void>();
  let onLine: (() => void) | undefined;
  const exited = main({
    argv,
    env,
    stdout: () => {},
    stderr: (s) => {
      for (const l of s.split('\n')) if (l.length > 0) logs.push(l);
      onLine?.();
    },
    onSignal: (sig, h) => handlers.set(sig, h),
  });
  const url = await new Promise<string>((resolveUrl, reject) => {
    const check = () => {
      for (const l of logs) {
        const m = LISTENING.exec(l);
        if (m) return resolveUrl(`http://${m[1]}`);
      }
    };
    onLine = check;
    check();
    exited.then((code) => reject(new Error(`exporter exited with ${code}:\n${logs.join('\n')}`)), reject);
  });
  onLine = undefined;
  let stopping: Promise<number> | undefined;
  return wrap(
    url,
    logs,
    process.pid,
    false,
    () => {
      stopping ??= (async () => {
        handlers.get('SIGTERM')?.();
        return exited;
      })();
      return stopping;
    },
    exited,
  );
}

async function startChild(argv: string[], env: Record<string, string>): Promise<FaultExporter> {
  const logs: string[] = [];
  // With the V8 flags the installed command runs with (its shebang's).
  const child: ChildProcess = spawn(
    process.execPath,
    [...LAUNCH_FLAGS, '--import', 'tsx', 'src/cli.ts', ...argv],
    {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'production', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let buf = '';
  let onLine: (() => void) | undefined;
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    buf += d;
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    for (const l of parts) if (l.length > 0) logs.push(l);
    onLine?.();
  });
  const exited = new Promise<number>((r) => child.once('exit', (code, sig) => r(code ?? (sig ? 128 : 1))));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`exporter did not start:\n${logs.join('\n')}`)), 30_000);
    const check = () => {
      for (const l of logs) {
        const m = LISTENING.exec(l);
        if (m) {
          clearTimeout(timer);
          return resolveUrl(`http://${m[1]}`);
        }
      }
    };
    onLine = check;
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exporter exited with ${code}:\n${logs.join('\n')}`));
    });
  });
  onLine = undefined;
  const pid = child.pid ?? 0;
  return wrap(
    url,
    logs,
    pid,
    true,
    async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    exited,
  );
}

/** Resident set size of a process, bytes (VmRSS). */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** Open file descriptors of a process. */
export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/**
 * Runs main() for a configuration that should stop start-up: the exit code and stderr. A
 * configuration that does start is shut down at once and reported with `started: true`.
 */
export async function runMain(
  argv: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<{ code: number; stderr: string; started: boolean }> {
  let stderr = '';
  let started = false;
  const handlers = new Map<string, () => void>();
  const code = await main({
    argv: ['--web.listen-address=127.0.0.1:0', ...argv],
    env: { HOME: tmpdir(), ...env },
    stdout: () => {},
    stderr: (s) => {
      stderr += s;
      if (!started && s.includes('msg=listening')) {
        started = true;
        setImmediate(() => handlers.get('SIGTERM')?.());
      }
    },
    onSignal: (sig, h) => handlers.set(sig, h),
  });
  return { code, stderr, started };
}

/**
 * Traces the file opens of a running process (`strace -f -p PID -e trace=open,openat`) while `during`
 * runs; returns the paths opened. Attaching needs ptrace rights (root, or ptrace_scope 0).
 */
export async function tracedOpens(pid: number, during: () => Promise<void>): Promise<string[]> {
  const dir = tempDir('mysql-exporter-strace-');
  const out = join(dir, 'trace');
  const tracer = spawn(
    'strace',
    ['-f', '-qq', '-e', 'trace=open,openat,openat2', '-o', out, '-p', String(pid)],
    {
      stdio: 'ignore',
    },
  );
  let gone = false;
  const ended = new Promise<void>((r) =>
    tracer.once('exit', () => {
      gone = true;
      r();
    }),
  );
  tracer.once('error', () => {
    gone = true;
  });
  // strace writes nothing until a traced call: give it time to attach.
  await new Promise((r) => setTimeout(r, 700));
  if (gone) throw new Error('strace could not attach');
  try {
    await during();
  } finally {
    await new Promise((r) => setTimeout(r, 200));
    tracer.kill('SIGINT');
    await ended;
  }
  let text = '';
  try {
    text = readFileSync(out, 'utf8');
  } catch {
    throw new Error('strace produced no output (is ptrace allowed here?)');
  }
  return text
    .split('\n')
    .map((l) => /open(?:at2?)?\((?:[^,]*, )?"([^"]*)"/.exec(l)?.[1])
    .filter((p): p is string => p !== undefined);
}
