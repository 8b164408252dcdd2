/**
 * The canned database (canned-db.ts) in a child process of its own, so that its CPU time is measured
 * apart from the benchmark's and the exporter's (`CannedProcess` is the parent's handle; messages
 * over IPC, the recording as base64 JSON).
 */
import { processCpuMs } from './cpu.js';
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  CannedDb,
  type CannedStats,
  type Recording,
  type RecordingJson,
  recordingFromJson,
  recordingToJson,
} from './canned-db.js';

type Request = { op: 'start'; recording: RecordingJson; ports: number } | { op: 'stats' } | { op: 'close' };

interface Reply {
  readonly ok: boolean;
  readonly error?: string;
  readonly ports?: number[];
  readonly stats?: CannedStats;
}

export class CannedProcess {
  private queue: Array<(r: Reply) => void> = [];
  private constructor(
    private readonly child: ChildProcess,
    readonly ports: number[],
  ) {}

  static async start(recording: Recording, ports: number): Promise<CannedProcess> {
    const child = fork(fileURLToPath(import.meta.url), ['--canned-child'], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    process.on('exit', () => child.kill('SIGKILL'));
    const p = new CannedProcess(child, []);
    child.on('message', (m: Reply) => p.queue.shift()?.(m));
    const r = await p.ask({ op: 'start', recording: recordingToJson(recording), ports });
    if (!r.ok) {
      child.kill('SIGKILL');
      throw new Error(`canned database: ${r.error}`);
    }
    p.ports.push(...(r.ports ?? []));
    return p;
  }

  private ask(req: Request): Promise<Reply> {
    return new Promise((resolve) => {
      this.queue.push(resolve);
      this.child.send(req);
    });
  }

  async stats(): Promise<CannedStats> {
    const s = (await this.ask({ op: 'stats' })).stats;
    if (!s) throw new Error('canned database: no stats');
    return s;
  }

  /** User + system CPU of the canned database's process so far, ms. */
  cpuMs(): number {
    return processCpuMs(this.child.pid ?? -1);
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.send({ op: 'close' });
    await exited;
  }
}

async function child(): Promise<void> {
  let db: CannedDb | undefined;
  process.on('message', async (req: Request) => {
    try {
      if (req.op === 'start') {
        db = await CannedDb.start(recordingFromJson(req.recording), { ports: req.ports });
        process.send?.({ ok: true, ports: db.ports });
      } else if (req.op === 'stats') process.send?.({ ok: true, stats: db?.stats() });
      else {
        await db?.close();
        process.exit(0);
      }
    } catch (err) {
      process.send?.({ ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  });
  process.on('disconnect', () => process.exit(0));
}

if (process.argv.includes('--canned-child')) void child();
