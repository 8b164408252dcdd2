/**
 * bcrypt comparisons on one worker thread: they run one at a time (a flood of logins costs one core,
 * never the event loop that serves scrapes) and in order. The worker is started on first use, does
 * not keep the process alive, and is restarted if it dies (pending comparisons then fail: the caller
 * answers 500, never lets the request through).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** CommonJS, evaluated in the worker; `bcryptPath` is resolved here so that tsx and dist/ both work. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const bcrypt = require(workerData.bcryptPath);
parentPort.on('message', (m) => {
  let ok = false;
  try { ok = bcrypt.compareSync(m.password, m.hash) === true; } catch { ok = false; }
  parentPort.postMessage({ id: m.id, ok });
});
`;

interface Waiter {
  resolve(ok: boolean): void;
  reject(err: Error): void;
}

/** Compares a password with a bcrypt hash; false (never a throw) for a malformed hash. */
export interface BcryptVerifier {
  compare(password: string, hash: string): Promise<boolean>;
  close(): Promise<void>;
}

export class BcryptWorker implements BcryptVerifier {
  readonly #bcryptPath: string;
  readonly #waiting = new Map<number, Waiter>();
  #worker: Worker | undefined;
  #next = 0;
  #closed = false;

  constructor() {
    this.#bcryptPath = createRequire(import.meta.url).resolve('bcryptjs');
  }

  compare(password: string, hash: string): Promise<boolean> {
    if (this.#closed) return Promise.reject(new Error('bcrypt worker is closed'));
    const worker = this.#ensure();
    const id = ++this.#next;
    return new Promise<boolean>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      worker.postMessage({ id, password, hash });
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const w = this.#worker;
    this.#worker = undefined;
    this.#failAll(new Error('bcrypt worker closed'));
    if (w) await w.terminate();
  }

  #ensure(): Worker {
    if (this.#worker) return this.#worker;
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcryptPath: this.#bcryptPath } });
    w.unref();
    w.on('message', (m: unknown) => {
      if (typeof m !== 'object' || m === null) return;
      const { id, ok } = m as { id?: unknown; ok?: unknown };
      if (typeof id !== 'number') return;
      const waiter = this.#waiting.get(id);
      if (!waiter) return;
      this.#waiting.delete(id);
      waiter.resolve(ok === true);
    });
    const fail = (err: Error) => {
      if (this.#worker === w) this.#worker = undefined;
      this.#failAll(err);
    };
    w.on('error', (err) => fail(err));
    w.on('exit', () => fail(new Error('bcrypt worker exited')));
    this.#worker = w;
    return w;
  }

  #failAll(err: Error): void {
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const w of waiting) w.reject(err);
  }
}
