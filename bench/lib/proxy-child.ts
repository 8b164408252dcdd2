/**
 * The delaying proxy in a child process of its own, so that its CPU time is measured apart from the
 * benchmark's and the exporter's (`ProxyProcess` is the parent's handle; messages over IPC through
 * child-rpc.ts).
 */
import { fileURLToPath } from 'node:url';
import { ChildRpc, serveChild } from './child-rpc.js';
import { DelayProxy, type DelayProxyOptions, type PortStats } from './delay-proxy.js';

type Request =
  | { op: 'start'; opts: DelayProxyOptions }
  | { op: 'stats' }
  | { op: 'dead'; port: number; dead: boolean }
  | { op: 'delay'; oneWayMs: number }
  | { op: 'close' };

const WHAT = 'proxy';

export class ProxyProcess {
  private constructor(
    private readonly rpc: ChildRpc<Request>,
    readonly ports: number[],
  ) {}

  static async start(opts: DelayProxyOptions): Promise<ProxyProcess> {
    const rpc = ChildRpc.fork<Request>(fileURLToPath(import.meta.url), '--proxy-child');
    try {
      const r = await rpc.ask({ op: 'start', opts }, WHAT);
      return new ProxyProcess(rpc, (r.ports as number[] | undefined) ?? []);
    } catch (err) {
      rpc.kill();
      throw err;
    }
  }

  async stats(): Promise<PortStats[]> {
    return ((await this.rpc.ask({ op: 'stats' }, WHAT)).stats as PortStats[] | undefined) ?? [];
  }

  async setDead(port: number, dead: boolean): Promise<void> {
    await this.rpc.ask({ op: 'dead', port, dead }, WHAT);
  }

  async setDelay(oneWayMs: number): Promise<void> {
    await this.rpc.ask({ op: 'delay', oneWayMs }, WHAT);
  }

  /** User + system CPU of the proxy process so far, ms. */
  cpuMs(): number {
    return this.rpc.cpuMs();
  }

  close(): Promise<void> {
    return this.rpc.close();
  }
}

function child(): void {
  let proxy: DelayProxy | undefined;
  serveChild<Request>(
    async (req) => {
      if (req.op === 'start') {
        proxy = await DelayProxy.start(req.opts);
        return { ports: proxy.ports };
      }
      if (req.op === 'stats') return { stats: proxy?.stats() ?? [] };
      if (req.op === 'delay') proxy?.setDelay(req.oneWayMs);
      else if (req.op === 'dead') proxy?.setDead(req.port, req.dead);
      return {};
    },
    async () => proxy?.close(),
  );
}

if (process.argv.includes('--proxy-child')) child();
