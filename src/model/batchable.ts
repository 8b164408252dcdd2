/**
 * Which collectors' statements may share a multi-statement batch (db/batch.ts): only those written
 * in this code base (hand-written collectors and the package's own query files). Custom query files
 * (--queries.dir) are never marked, so they never run on a connection that accepts several
 * statements in one call.
 */
import type { Collector } from './collector.js';

const BATCHABLE = Symbol('batchable');

/** Marks `c` (an enumerable property: copies made with a spread keep it). */
export function markBatchable<T extends Collector>(c: T): T {
  Object.defineProperty(c, BATCHABLE, { value: true, enumerable: true });
  return c;
}

export function isBatchable(c: Collector): boolean {
  return (c as unknown as Record<symbol, unknown>)[BATCHABLE] === true;
}
