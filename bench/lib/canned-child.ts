/**
 * The canned database (canned-db.ts) in a child process of its own, so that its CPU time is measured
 * apart from the benchmark's and the exporter's (`CannedProcess` is the parent's handle; messages
 * over IPC through child-rpc.ts, the recording as base64 JSON).
 */
import { fileURLToPath } from 'node:url';
import {
  CannedDb,
  type CannedStats,
  type Recording,
  type RecordingJson,
  recordingFromJson,
  recordingToJson,
} from './canned-db.js';
import { ChildRpc, serveChild } from './child-rpc.js';

type Request = { op: 'start'; recording: RecordingJson; ports: number } | { op: 'stats' } | { op: 'close' };

const WHAT = 'canned database';

export class CannedProcess {
  private constructor(
    private readonly rpc: ChildRpc<Request>,
    readonly ports: number[],
  ) {}

  static async start(recording: Recording, ports: number): Promise<CannedProcess> {
    const rpc = ChildRpc.fork<Request>(fileURLToPath(import.meta.url), '--canned-child');
    try {
      const r = await rpc.ask({ op: 'start', recording: recordingToJson(recording), ports }, WHAT);
      return new CannedProcess(rpc, (r.ports as number[] | undefined) ?? []);
    } catch (err) {
      rpc.kill();
      throw err;
    }
  }

  async stats(): Promise<CannedStats> {
    const s = (await this.rpc.ask({ op: 'stats' }, WHAT)).stats as CannedStats | undefined;
    if (!s) throw new Error(`${WHAT}: no stats`);
    return s;
  }

  /** User + system CPU of the canned database's process so far, ms. */
  cpuMs(): number {
    return this.rpc.cpuMs();
  }

  close(): Promise<void> {
    return this.rpc.close();
  }
}

function child(): void {
  let db: CannedDb | undefined;
  serveChild<Request>(
    async (req) => {
      if (req.op === 'start') {
        db = await CannedDb.start(recordingFromJson(req.recording), { ports: req.ports });
        return { ports: db.ports };
      }
      return { stats: db?.stats() };
    },
    async () => db?.close(),
  );
}

if (process.argv.includes('--canned-child')) child();
