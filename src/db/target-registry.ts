/**
 * Long-lived Targets keyed by (auth module, address): bounded in number, least recently used closed
 * first, idle ones closed after a while. Closing is asynchronous and never blocks a scrape.
 */
import type { Logger } from '../log/logger.js';
import { type Address, addressKey } from './address.js';
import { Target, type TargetOptions } from './target.js';

export interface TargetRegistryOptions {
  readonly maxTargets: number;
  readonly idleMs: number;
  readonly log: Logger;
  readonly now?: () => number;
}

interface Entry {
  readonly target: Target;
  lastUsed: number;
}

export class TargetRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  constructor(private readonly opts: TargetRegistryOptions) {
    this.now = opts.now ?? Date.now;
  }

  static key(module: string, address: Address): string {
    return `${module}@${addressKey(address)}`;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The Target for this module and address, created with `make()` on first use. */
  get(module: string, address: Address, make: () => TargetOptions): Target {
    const key = TargetRegistry.key(module, address);
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit) {
      hit.lastUsed = now;
      // Re-insert to keep Map order = recency order.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.target;
    }
    this.evict(now);
    const target = new Target(make());
    this.entries.set(key, { target, lastUsed: now });
    return target;
  }

  private evict(now: number): void {
    for (const [key, e] of this.entries) {
      if (now - e.lastUsed > this.opts.idleMs) this.drop(key, e, 'idle');
    }
    while (this.entries.size >= this.opts.maxTargets) {
      const first = this.entries.entries().next();
      if (first.done) break;
      this.drop(first.value[0], first.value[1], 'least recently used');
    }
  }

  private drop(key: string, e: Entry, why: string): void {
    this.entries.delete(key);
    this.opts.log.debug('closing target pool', { target: e.target.key, reason: why });
    void e.target.close();
  }

  /** Closes every pool (shutdown, or credentials changed on reload). */
  async closeAll(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((e) => e.target.close()));
  }
}
