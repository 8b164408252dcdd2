/**
 * Per-target connection backoff: the first failed connect costs nothing (the next scrape tries again,
 * so a restart or a brief max_connections peak is over by then); after the second in a row the next
 * attempts wait 1 s, 2 s, 4 s, … up to a cap (plus up to a quarter of jitter), so an unreachable
 * target costs one connect attempt per backoff step, not one per scrape, and never a reconnect
 * storm. A success resets it.
 */
export interface BackoffOptions {
  readonly baseMs?: number;
  readonly maxMs?: number;
  readonly now?: () => number;
  readonly random?: () => number;
}

export class ConnectBackoff {
  private failures = 0;
  private until = 0;
  private lastError = '';
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(opts: BackoffOptions = {}) {
    this.baseMs = opts.baseMs ?? 1000;
    this.maxMs = opts.maxMs ?? 60_000;
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
  }

  /** Why no attempt may be made now, or undefined when one may. */
  blocked(): string | undefined {
    const wait = this.until - this.now();
    if (wait <= 0) return undefined;
    return `not connecting for another ${(wait / 1000).toFixed(1)} s after ${this.failures} failed attempt${this.failures === 1 ? '' : 's'} (last: ${this.lastError})`;
  }

  failed(message: string): void {
    this.failures++;
    this.lastError = message;
    if (this.failures < 2) return;
    const step = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(30, this.failures - 2));
    this.until = this.now() + step * (1 + this.random() / 4);
  }

  succeeded(): void {
    this.failures = 0;
    this.until = 0;
    this.lastError = '';
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}
