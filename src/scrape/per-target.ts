/**
 * What a collector remembers per target (a cached run, detected columns, active plugins), bounded:
 * past `maxTargets` the least recently used target is forgotten, so probing many targets cannot
 * grow memory without end. One per collector instance; never module-level.
 */
export const DEFAULT_MAX_TARGETS = 1000;

export class PerTarget<T> {
  private readonly values = new Map<string, T>();
  constructor(private readonly maxTargets: number = DEFAULT_MAX_TARGETS) {}

  /** The value remembered for `key`, which becomes the most recently used. */
  get(key: string): T | undefined {
    const v = this.values.get(key);
    if (v !== undefined) {
      this.values.delete(key);
      this.values.set(key, v);
    }
    return v;
  }

  /** Remembers `value` for `key` (the least recently used target goes past the bound); returns it. */
  set(key: string, value: T): T {
    this.values.delete(key);
    this.values.set(key, value);
    while (this.values.size > this.maxTargets) {
      const oldest = this.values.keys().next().value;
      if (oldest === undefined) break;
      this.values.delete(oldest);
    }
    return value;
  }

  /** Forgets `key`. */
  delete(key: string): void {
    this.values.delete(key);
  }

  get size(): number {
    return this.values.size;
  }
}
