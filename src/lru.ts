/**
 * The one bounded map of the exporter, least recently used first out: what a collector remembers per
 * target (a cached run, detected columns, active plugins), the target pools (db/target-registry.ts)
 * and the last scrape of each target (landing page). Past `max` entries the least recently used one
 * is dropped (and handed to `onEvict`), so probing many targets cannot grow memory without end.
 * One per owner; never module-level.
 */

/** How many targets a collector remembers state for (as many as --probe.max_targets keeps pools by default). */
export const PER_TARGET_MAX = 10_000;

export class Lru<V> {
  /** Map order is recency order: oldest first. */
  private readonly entries = new Map<string, V>();

  constructor(
    private readonly max: number,
    private readonly onEvict?: (key: string, value: V) => void,
  ) {}

  /** The value for `key`, which becomes the most recently used. */
  get(key: string): V | undefined {
    const v = this.entries.get(key);
    if (v !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, v);
    }
    return v;
  }

  /** Stores `value` as the most recently used (the least recently used goes past the bound); returns it. */
  set(key: string, value: V): V {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.max) {
      const oldest = this.entries.entries().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value[0]);
      this.onEvict?.(oldest.value[0], oldest.value[1]);
    }
    return value;
  }

  /** Forgets `key` (without onEvict). */
  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Entries, least recently used first. */
  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries.entries();
  }

  /** Forgets everything (without onEvict); returns what was held. */
  clear(): V[] {
    const all = [...this.entries.values()];
    this.entries.clear();
    return all;
  }
}
