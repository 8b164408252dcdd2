/**
 * The exporter CLI as a real child process (`node --import tsx src/cli.ts`), in either log format:
 * its stderr lines, its address (from the `listening` line, logfmt or JSON), signals and exit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { LAUNCH_FLAGS } from '../../../src/runtime/v8-tuning.js';
import { REPO_ROOT } from './exporter.js';

export interface ExporterProcess {
  readonly url: string;
  readonly pid: number;
  /** Every stderr line so far. */
  readonly lines: string[];
  /** Everything written to stderr, unsplit (a torn or partial line shows here). */
  raw(): string;
  /** Resolves with the exit code (128 + n for a signal). */
  readonly exited: Promise<number>;
  signal(sig: NodeJS.Signals): void;
  /** SIGKILL if still running; waits for the exit. Safe to call twice. */
  kill(): Promise<void>;
}

const LOGFMT_LISTENING = /msg=listening addresses=([^\s,]+)/;

function listeningAddress(line: string): string | undefined {
  const m = LOGFMT_LISTENING.exec(line);
  if (m) return m[1];
  if (!line.startsWith('{')) return undefined;
  try {
    const o = JSON.parse(line) as { msg?: unknown; addresses?: unknown };
    if (o.msg !== 'listening') return undefined;
    const a = Array.isArray(o.addresses) ? o.addresses[0] : o.addresses;
    return typeof a === 'string' ? a.split(',')[0] : undefined;
  } catch {
    return undefined;
  }
}

export async function spawnExporter(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<ExporterProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [...LAUNCH_FLAGS, '--import', 'tsx', 'src/cli.ts', '--web.listen-address=127.0.0.1:0', ...args],
    {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        NODE_ENV: 'production',
        HOME: '/nonexistent',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const lines: string[] = [];
  let all = '';
  let buf = '';
  let onLine: (() => void) | undefined;
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    all += d;
    buf += d;
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    for (const l of parts) if (l.length > 0) lines.push(l);
    onLine?.();
  });
  const exited = new Promise<number>((r) =>
    child.once('exit', (code, sig) => r(code ?? (sig ? 128 + (sig === 'SIGKILL' ? 9 : 15) : 1))),
  );
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`exporter did not start:\n${all}`)), 60_000);
      const check = () => {
        for (const l of lines) {
          const a = listeningAddress(l);
          if (a) {
            clearTimeout(timer);
            onLine = undefined;
            return resolve(`http://${a}`);
          }
        }
      };
      onLine = check;
      check();
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`exporter exited with ${code} before listening:\n${all}`));
      });
    });
    return {
      url,
      pid: child.pid ?? 0,
      lines,
      raw: () => all,
      exited,
      signal: (sig) => {
        child.kill(sig);
      },
      kill,
    };
  } catch (err) {
    await kill();
    throw err;
  }
}
