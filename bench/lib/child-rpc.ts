/**
 * A server of the benchmark in a child process of its own, so that its CPU time is measured apart from
 * the benchmark's and the exporter's: `ChildRpc` is the parent's handle (requests over IPC, answered in
 * order), `serveChild` the child's loop. canned-child.ts and proxy-child.ts are its two users.
 */
import { processCpuMs } from './cpu.js';
import { type ChildProcess, fork } from 'node:child_process';

/** Every request has an `op`; `close` ends the child after the server's own close. */
export type Op = { readonly op: string };

export interface Reply {
  readonly ok: boolean;
  readonly error?: string;
  readonly [k: string]: unknown;
}

export class ChildRpc<Req extends Op> {
  private readonly queue: Array<(r: Reply) => void> = [];
  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: Reply) => this.queue.shift()?.(m));
  }

  /** Forks `modulePath` with `flag` (the module starts `serveChild` when it sees it). */
  static fork<Req extends Op>(modulePath: string, flag: string): ChildRpc<Req> {
    const child = fork(modulePath, [flag], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    process.on('exit', () => child.kill('SIGKILL'));
    return new ChildRpc<Req>(child);
  }

  /** Sends `req`; throws `${what}: ${error}` when the child answers with a failure. */
  async ask(req: Req, what: string): Promise<Reply> {
    const r = await new Promise<Reply>((resolve) => {
      this.queue.push(resolve);
      this.child.send(req);
    });
    if (!r.ok) throw new Error(`${what}: ${r.error}`);
    return r;
  }

  /** User + system CPU of the child process so far, ms. */
  cpuMs(): number {
    return processCpuMs(this.child.pid ?? -1);
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }

  /** Asks the child to close and waits for it to exit (at once if it already has). */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.send({ op: 'close' });
    await exited;
  }
}

/**
 * The child's loop: each request goes to `handle`, whose result (fields besides `ok`) is the reply;
 * `close` calls `onClose` and exits; a thrown error becomes `{ ok: false, error }`.
 */
export function serveChild<Req extends Op>(
  handle: (req: Req) => Promise<Record<string, unknown>> | Record<string, unknown>,
  onClose: () => Promise<void>,
): void {
  process.on('message', async (req: Req) => {
    try {
      if (req.op === 'close') {
        await onClose();
        process.exit(0);
      }
      process.send?.({ ok: true, ...(await handle(req)) });
    } catch (err) {
      process.send?.({ ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  });
  process.on('disconnect', () => process.exit(0));
}
