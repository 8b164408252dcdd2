/**
 * A bound on connection handshakes in progress across every target of one exporter: a cold start
 * or a reload with thousands of targets opens their sessions a few at a time instead of all at
 * once (each handshake costs the server a thread and the exporter a TLS/auth exchange).
 */
import { DeadlineError } from '../errors.js';

export class ConnectGate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {}

  /** Resolves with a release function once a slot is free; rejects when `signal` aborts first. */
  enter(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(new DeadlineError('deadline exceeded before connecting'));
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const wake = () => {
        signal.removeEventListener('abort', onAbort);
        resolve(this.releaser());
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(wake);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new DeadlineError('deadline exceeded while waiting to connect'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(wake);
    });
  }

  /** Handshakes in progress (self-metric). */
  get inProgress(): number {
    return this.active;
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter.
      if (next) next();
      else this.active--;
    };
  }
}
