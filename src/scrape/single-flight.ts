/**
 * Overlapping scrapes of the same target and collector set share one in-flight database round.
 * The shared round runs under its own AbortController, aborted only when every waiting caller has
 * gone (or its deadline passed). Each caller still waits only until its own signal fires. Past
 * `maxWaiters` callers on one key, `join` refuses at once so that the exporter answers 503 instead
 * of stacking work.
 */
import { ExporterError } from '../errors.js';
export class TooManyWaitersError extends ExporterError {
  constructor(readonly key: string) {
    super('TOO_MANY_WAITERS', 'too many concurrent scrapes of this target are already waiting');
  }
}

interface Flight<T> {
  readonly promise: Promise<T>;
  readonly controller: AbortController;
  waiters: number;
}

export class SingleFlight<T> {
  private readonly flights = new Map<string, Flight<T>>();
  constructor(private readonly maxWaiters: number) {}

  /**
   * Stops every round in flight (shutdown): each returns what it has so far to its callers, who
   * still get an answer.
   */
  abortAll(): void {
    for (const f of this.flights.values()) f.controller.abort();
  }

  /** Number of keys with a round in flight (for self-metrics and tests). */
  get inFlight(): number {
    return this.flights.size;
  }

  /**
   * Runs `work` for `key` unless a round is already in flight, in which case the caller joins it.
   * `deadlineMs` bounds a newly started round.
   */
  join(
    key: string,
    signal: AbortSignal,
    deadlineMs: number,
    work: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    let flight = this.flights.get(key);
    if (flight && flight.waiters >= this.maxWaiters) return Promise.reject(new TooManyWaitersError(key));
    if (!flight) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), deadlineMs);
      const promise = Promise.resolve()
        .then(() => work(controller.signal))
        .finally(() => {
          clearTimeout(timer);
          if (this.flights.get(key) === created) this.flights.delete(key);
        });
      const created: Flight<T> = { promise, controller, waiters: 0 };
      this.flights.set(key, created);
      flight = created;
    }
    const f = flight;
    f.waiters++;
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const leave = () => {
        if (done) return false;
        done = true;
        f.waiters--;
        signal.removeEventListener('abort', onAbort);
        return true;
      };
      const onAbort = () => {
        if (!leave()) return;
        // The last caller gave up: stop the database work too.
        if (f.waiters === 0) {
          if (this.flights.get(key) === f) this.flights.delete(key);
          f.controller.abort();
        }
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      f.promise.then(
        (v) => {
          if (leave()) resolve(v);
        },
        (e: unknown) => {
          if (leave()) reject(e);
        },
      );
    });
  }
}
