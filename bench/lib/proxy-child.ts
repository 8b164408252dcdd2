/**
 * The delaying proxy in a child process of its own, so that its CPU time is measured apart from the
 * benchmark's and the exporter's (`ProxyProcess` is the parent's handle; messages over IPC).
 */
import { processCpuMs } from './cpu.js';
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DelayProxy, type DelayProxyOptions, type PortStats } from './delay-proxy.js';

type Request =
  | { op: 'start'; opts: DelayProxyOptions }
  | { op: 'stats' }
  | { op: 'dead'; port: number; dead: boolean }
  | { op: 'delay'; oneWayMs: number }
  | { op: 'close' };

interface Reply {
  readonly ok: boolean;
  readonly error?: string;
  readonly ports?: number[];
  readonly stats?: PortStats[];
}

export class ProxyProcess {
  private queue: Array<(r: Reply) => void> = [];
  private constructor(
    private readonly child: ChildProcess,
    readonly ports: number[],
  ) {}

  static async start(opts: DelayProxyOptions): Promise<ProxyProcess> {
    const child = fork(fileURLToPath(import.meta.url), ['--proxy-child'], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    process.on('exit', () => child.kill('SIGKILL'));
    const p = new ProxyProcess(child, []);
    child.on('message', (m: Reply) => p.queue.shift()?.(m));
    const r = await p.ask({ op: 'start', opts });
    if (!r.ok) throw new Error(`proxy: ${r.error}`);
    p.ports.push(...(r.ports ?? []));
    return p;
  }

  private ask(req: Request): Promise<Reply> {
    return new Promise((resolve) => {
      this.queue.push(resolve);
      this.child.send(req);
    });
  }

  async stats(): Promise<PortStats[]> {
    return (await this.ask({ op: 'stats' })).stats ?? [];
  }

  async setDead(port: number, dead: boolean): Promise<void> {
    await this.ask({ op: 'dead', port, dead });
  }

  async setDelay(oneWayMs: number): Promise<void> {
    await this.ask({ op: 'delay', oneWayMs });
  }

  /** User + system CPU of the proxy process so far, ms. */
  cpuMs(): number {
    return processCpuMs(this.child.pid ?? -1);
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.send({ op: 'close' });
    await exited;
  }
}

async function child(): Promise<void> {
  let proxy: DelayProxy | undefined;
  process.on('message', async (req: Request) => {
    try {
      if (req.op === 'start') {
        proxy = await DelayProxy.start(req.opts);
        process.send?.({ ok: true, ports: proxy.ports });
      } else if (req.op === 'stats') process.send?.({ ok: true, stats: proxy?.stats() ?? [] });
      else if (req.op === 'delay') {
        proxy?.setDelay(req.oneWayMs);
        process.send?.({ ok: true });
      } else if (req.op === 'dead') {
        proxy?.setDead(req.port, req.dead);
        process.send?.({ ok: true });
      } else {
        await proxy?.close();
        process.exit(0);
      }
    } catch (err) {
      process.send?.({ ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  });
  process.on('disconnect', () => process.exit(0));
}

if (process.argv.includes('--proxy-child')) void child();
