/**
 * What one declarative collector remembers per target: the last cached run, the refresh in flight
 * (so that concurrent scrapes share it), and an error count. Bounded: the least recently used
 * target is forgotten past `maxTargets`, so probing many targets cannot grow memory without end.
 */
import type { MetricFamily } from '../scrape/types.js';

export interface Run {
  readonly families: readonly MetricFamily[];
  /** Clock reading (ms) when the statement was sent. */
  readonly startedAt: number;
  readonly durationSeconds: number;
  readonly rows: number;
}

export interface TargetState {
  last: Run | undefined;
  inflight: Promise<Run> | undefined;
  errors: number;
}

export const DEFAULT_MAX_TARGETS = 1000;

export class TargetStates {
  private readonly states = new Map<string, TargetState>();
  constructor(private readonly maxTargets: number = DEFAULT_MAX_TARGETS) {}

  get(targetKey: string): TargetState {
    let s = this.states.get(targetKey);
    if (s) {
      // Re-insert: Map order is then least recently used first.
      this.states.delete(targetKey);
    } else {
      s = { last: undefined, inflight: undefined, errors: 0 };
    }
    this.states.set(targetKey, s);
    while (this.states.size > this.maxTargets) {
      const oldest = this.states.keys().next().value;
      if (oldest === undefined) break;
      this.states.delete(oldest);
    }
    return s;
  }

  get size(): number {
    return this.states.size;
  }
}
