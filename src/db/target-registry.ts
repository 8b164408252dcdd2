/**
 * Long-lived Targets keyed by (auth module, address): bounded in number, least recently used closed
 * first, idle ones closed after a while. Closing is asynchronous and never blocks a scrape.
 */
import { Lru } from '../lru.js';
import type { Logger } from '../log/logger.js';
import { type Address, addressKey } from './address.js';
import { Target } from './target.js';
import type { TargetOptions } from './target-options.js';

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
  private readonly entries: Lru<Entry>;
  private readonly now: () => number;
  constructor(private readonly opts: TargetRegistryOptions) {
    this.now = opts.now ?? Date.now;
    this.entries = new Lru(opts.maxTargets, (_key, e) => this.close(e, 'least recently used'));
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
      return hit.target;
    }
    for (const [k, e] of [...this.entries]) {
      if (now - e.lastUsed > this.opts.idleMs) {
        this.entries.delete(k);
        this.close(e, 'idle');
      }
    }
    const target = new Target(make());
    this.entries.set(key, { target, lastUsed: now });
    return target;
  }

  private close(e: Entry, why: string): void {
    this.opts.log.debug('closing target pool', { target: e.target.key, reason: why });
    void e.target.close();
  }

  /** Closes every pool (shutdown, or credentials changed on reload). */
  async closeAll(): Promise<void> {
    await Promise.all(this.entries.clear().map((e) => e.target.close()));
  }
}
