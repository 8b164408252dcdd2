/**
 * Long-lived Targets keyed by (auth module, address): bounded in number, least recently used closed
 * first, idle ones closed after a while. Closing is asynchronous and never blocks a scrape.
 *
 * Fleet mode: the bound's default fits thousands of targets (an idle target costs a few tens of KiB
 * and one database session); pools closed because of the bound are churn, counted and logged (at
 * most once a minute), since each one costs a reconnect on the target's next scrape. Every Target
 * shares one gate on handshakes in progress, so a cold start spreads its connects.
 */
import { Lru } from '../lru.js';
import type { Logger } from '../log/logger.js';
import { type Address, addressKey } from './address.js';
import { ConnectGate } from './connect-gate.js';
import { Target } from './target.js';
import type { TargetOptions } from './target-options.js';

/** --probe.max_targets default: a fleet of a few thousand targets per process. */
export const DEFAULT_MAX_TARGETS = 10_000;
/** Handshakes in progress across every target. */
export const DEFAULT_CONNECT_CONCURRENCY = 32;
const CHURN_LOG_INTERVAL_MS = 60_000;

export interface TargetRegistryOptions {
  readonly maxTargets: number;
  readonly idleMs: number;
  readonly log: Logger;
  readonly now?: () => number;
  readonly connectConcurrency?: number;
}

export interface RegistryStats {
  /** Target pools open now. */
  readonly targets: number;
  /** Database sessions open across every pool. */
  readonly sessions: number;
  /** Targets whose last connect failed. */
  readonly backingOff: number;
  readonly created: number;
  readonly evictedLimit: number;
  readonly evictedIdle: number;
  readonly connectsInProgress: number;
}

interface Entry {
  readonly target: Target;
  lastUsed: number;
}

export class TargetRegistry {
  private readonly entries: Lru<Entry>;
  private readonly now: () => number;
  private readonly gate: ConnectGate;
  private created = 0;
  private evictedLimit = 0;
  private evictedIdle = 0;
  private churnLoggedAt = Number.NEGATIVE_INFINITY;
  private churnSinceLog = 0;

  constructor(private readonly opts: TargetRegistryOptions) {
    this.now = opts.now ?? Date.now;
    this.gate = new ConnectGate(opts.connectConcurrency ?? DEFAULT_CONNECT_CONCURRENCY);
    this.entries = new Lru(opts.maxTargets, (_key, e) => {
      this.evictedLimit++;
      this.churnSinceLog++;
      this.close(e, 'least recently used');
    });
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
    // Least recently used first: the idle ones are at the front.
    for (const [k, e] of [...this.entries]) {
      if (now - e.lastUsed <= this.opts.idleMs) break;
      this.entries.delete(k);
      this.evictedIdle++;
      this.close(e, 'idle');
    }
    const target = new Target({ connectGate: this.gate, ...make() });
    this.created++;
    this.entries.set(key, { target, lastUsed: now });
    this.logChurn(now);
    return target;
  }

  stats(): RegistryStats {
    let sessions = 0;
    let backingOff = 0;
    for (const [, e] of this.entries) {
      sessions += e.target.stats().all;
      if (e.target.connectFailures > 0) backingOff++;
    }
    return {
      targets: this.entries.size,
      sessions,
      backingOff,
      created: this.created,
      evictedLimit: this.evictedLimit,
      evictedIdle: this.evictedIdle,
      connectsInProgress: this.gate.inProgress,
    };
  }

  private logChurn(now: number): void {
    if (this.churnSinceLog === 0 || now - this.churnLoggedAt < CHURN_LOG_INTERVAL_MS) return;
    this.opts.log.warn(
      'target pools churn: pools closed to stay within --probe.max_targets; each costs a reconnect on its next scrape',
      { closed: this.churnSinceLog, max_targets: this.opts.maxTargets, closed_total: this.evictedLimit },
    );
    this.churnLoggedAt = now;
    this.churnSinceLog = 0;
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
