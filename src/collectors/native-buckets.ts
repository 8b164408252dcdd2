/**
 * A server's own latency histogram (buckets with fixed upper bounds that grow by a constant factor:
 * powers of `query_response_time_range_base` in QUERY_RESPONSE_TIME, 10^(1/50) steps in MySQL 8's
 * statement histograms) as a Prometheus native histogram.
 *
 * Native bucket i of schema s covers (2^((i-1)/2^s), 2^(i/2^s)]. No schema has boundaries at powers of
 * 10 (or of 10^(1/50)), so the mapping is:
 * - the server's first bucket, [0, u0], is the zero bucket: zero threshold u0, zero count its count
 *   (exact);
 * - every other server bucket (u_{k-1}, u_k] goes whole into the native bucket that contains u_k;
 * - the schema is the coarsest (-4 ... 8) in which those native buckets are all different, so that no
 *   two server buckets are merged and a native bucket never reaches below the previous server bound.
 *   When the bounds are powers of 2^(2^-s) (range_base 2, 4, 16, 256 or 65536) that schema's
 *   boundaries are the server's own and the mapping is exact; otherwise each native bucket is the
 *   one holding the server bucket's upper bound, narrower than the server bucket (base 10 -> schema
 *   -1, width factor 4; MySQL 8's 10^(1/50) -> schema 4, factor 2^(1/16));
 * - observations above the last finite bound (QRT's `TOO LONG`, MySQL's last bucket) go into the
 *   native bucket just above the last one;
 * - count and sum are the server's.
 * So the count, the sum and the cumulative count at every server bound are exactly those of the
 * classic histogram (at the native boundary that closes the bucket holding that bound).
 */
import type { NativeBucket, NativeHistogram } from '../model/native-histogram.js';
import type { Labels } from '../model/metrics.js';

export const MIN_SCHEMA = -4;
export const MAX_SCHEMA = 8;

/** The upper boundary of native bucket `index` in `schema`. */
export function nativeBound(schema: number, index: number): number {
  return schema >= 0 ? 2 ** (index / 2 ** schema) : 2 ** (index * 2 ** -schema);
}

/** The native bucket of `schema` that contains `v` (> 0). */
export function nativeIndex(schema: number, v: number): number {
  let i = Math.ceil(Math.log2(v) * 2 ** schema);
  // Math.log2 may be off by an ulp: settle on the boundaries themselves.
  while (nativeBound(schema, i - 1) >= v) i--;
  while (nativeBound(schema, i) < v) i++;
  return i === 0 ? 0 : i; // not -0
}

/** The coarsest schema in which every bound falls into a native bucket of its own (MAX_SCHEMA if none). */
export function pickSchema(bounds: readonly number[]): number {
  for (let s = MIN_SCHEMA; s <= MAX_SCHEMA; s++) {
    let prev = Number.NEGATIVE_INFINITY;
    let ok = true;
    for (const b of bounds) {
      const i = nativeIndex(s, b);
      if (i <= prev) {
        ok = false;
        break;
      }
      prev = i;
    }
    if (ok) return s;
  }
  return MAX_SCHEMA;
}

export interface ServerBucket {
  /** Finite, > 0, strictly increasing from bucket to bucket. */
  readonly upper: number;
  /** Observations in this bucket alone (not cumulative). */
  readonly count: number;
}

/**
 * The native histogram of a server histogram: `buckets` in increasing order of bound (the first one
 * starting at 0), `overflow` the observations above the last bound. Undefined without buckets.
 */
export function toNativeHistogram(
  labels: Labels,
  buckets: readonly ServerBucket[],
  overflow: number,
  sum: number,
): NativeHistogram | undefined {
  const first = buckets[0];
  if (first === undefined || !(first.upper > 0)) return undefined;
  const schema = pickSchema(buckets.map((b) => b.upper));
  const positive: NativeBucket[] = [];
  const add = (index: number, count: number) => {
    const last = positive[positive.length - 1];
    if (last !== undefined && last.index === index)
      positive[positive.length - 1] = { index, count: last.count + count };
    else positive.push({ index, count });
  };
  let count = first.count + overflow;
  let lastIndex = nativeIndex(schema, first.upper);
  for (const b of buckets.slice(1)) {
    count += b.count;
    lastIndex = nativeIndex(schema, b.upper);
    if (b.count > 0) add(lastIndex, b.count);
  }
  if (overflow > 0) add(lastIndex + 1, overflow);
  return { labels, count, sum, schema, zeroThreshold: first.upper, zeroCount: first.count, positive };
}
