/**
 * What one declarative collector remembers per target (in a bounded Lru map): the last cached run,
 * the refresh in flight (so that concurrent scrapes share it), and an error count.
 */
import type { MetricFamily } from '../model/metrics.js';

export interface Run {
  readonly families: readonly MetricFamily[];
  /** Clock reading (ms) when the statement was sent. */
  readonly startedAt: number;
  readonly durationSeconds: number;
  readonly rows: number;
  /** Rows past max_rows, left out. */
  readonly dropped: number;
}

export interface TargetState {
  last: Run | undefined;
  inflight: Promise<Run> | undefined;
  errors: number;
}

/** A target's state before its first run. */
export const freshState = (): TargetState => ({ last: undefined, inflight: undefined, errors: 0 });
