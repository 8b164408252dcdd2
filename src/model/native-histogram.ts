/**
 * A Prometheus native histogram (sparse, exponential buckets), as a collector hands it over next to
 * the classic buckets of the same observations. Only the protobuf exposition carries it.
 *
 * Bucket `index` i of schema s covers (2^((i-1)·2^-s), 2^(i·2^-s)]; the zero bucket covers
 * [-zeroThreshold, zeroThreshold]. Counts are per bucket (not cumulative).
 */
export interface NativeBucket {
  readonly index: number;
  readonly count: number;
}

export interface NativeHistogram {
  /** The histogram's labels (the classic samples' labels without `le`). */
  readonly labels: Readonly<Record<string, string>>;
  readonly count: number;
  readonly sum: number;
  /** -4 ... 8. */
  readonly schema: number;
  readonly zeroThreshold: number;
  readonly zeroCount: number;
  /** Populated positive buckets in ascending index order. */
  readonly positive: readonly NativeBucket[];
}
