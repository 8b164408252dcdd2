import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  nativeBound,
  nativeIndex,
  pickSchema,
  toNativeHistogram,
} from '../../../src/collectors/native-buckets.js';

test('native bucket boundaries: index i of schema s ends at 2^(i/2^s)', () => {
  assert.equal(nativeBound(0, 3), 8);
  assert.equal(nativeBound(-1, 2), 16);
  assert.equal(nativeBound(1, -2), 0.5);
  assert.equal(nativeIndex(0, 8), 3, 'a boundary belongs to the bucket it closes');
  assert.equal(nativeIndex(0, 8.000001), 4);
  assert.equal(nativeIndex(0, 1), 0);
  assert.equal(nativeIndex(0, 0.75), 0, '(0.5, 1]');
  assert.equal(nativeIndex(-1, 10), 2, '(4, 16]');
  assert.equal(nativeIndex(3, 2), 8);
  // 10^-6 at schema -1: (2^-20, 2^-18]
  assert.equal(nativeIndex(-1, 1e-6), -9);
});

const powers = (base: number, from: number, to: number) => {
  const out: number[] = [];
  for (let k = from; k <= to; k++) out.push(base ** k);
  return out;
};

test('schema: the coarsest in which every server bound has a bucket of its own', () => {
  // QUERY_RESPONSE_TIME, range_base 10 (1e-6 ... 1e6): schema -2 would put 1e-6 and 1e-5 together.
  assert.equal(pickSchema(powers(10, -6, 6)), -1);
  // range_base 2, 4, 16: the server's bounds are the schema's own boundaries.
  assert.equal(pickSchema(powers(2, -20, 19)), 0);
  assert.equal(pickSchema(powers(4, -10, 9)), -1);
  assert.equal(pickSchema(powers(16, -5, 4)), -2);
  // MySQL 8 statement histograms: 10 us, then x 10^(1/50) per bucket (a 4.7 % step < 2^(1/16)).
  const mysql = [1e-5];
  for (let i = 1; i < 449; i++) mysql.push(mysql[i - 1]! * 1.0471285480508996);
  assert.equal(pickSchema(mysql), 4);
  // Bounds closer than the finest schema allows: schema 8 (buckets then merged).
  assert.equal(pickSchema([1, 1.0001, 1.0002]), 8);
});

test('range_base 10: zero bucket, one native bucket per server bucket, overflow above the last', () => {
  const bounds = powers(10, -6, 6);
  const counts = [5, 0, 2, 0, 7, 1, 0, 0, 0, 0, 0, 0, 0];
  const h = toNativeHistogram(
    { x: 'y' },
    bounds.map((upper, i) => ({ upper, count: counts[i]! })),
    3,
    42.5,
  );
  assert.deepEqual(h, {
    labels: { x: 'y' },
    count: 18,
    sum: 42.5,
    schema: -1,
    zeroThreshold: 1e-6,
    zeroCount: 5,
    // 1e-4 -> ceil(log2(1e-4) / 2) = ceil(-6.64) = -6; 1e-2 -> -3; 1e-1 -> -1; 1e6 -> 10, overflow 11.
    positive: [
      { index: -6, count: 2 },
      { index: -3, count: 7 },
      { index: -1, count: 1 },
      { index: 11, count: 3 },
    ],
  });
});

test('range_base 2: exact (the server buckets are the native buckets)', () => {
  const h = toNativeHistogram(
    {},
    [0.25, 0.5, 1, 2].map((upper, i) => ({ upper, count: i + 1 })),
    0,
    3,
  );
  assert.equal(h?.schema, 0);
  assert.equal(h?.zeroThreshold, 0.25);
  assert.deepEqual(h?.positive, [
    { index: -1, count: 2 },
    { index: 0, count: 3 },
    { index: 1, count: 4 },
  ]);
  // The native bucket of index -1 is (0.25, 0.5]: the server's second bucket exactly.
  assert.equal(nativeBound(0, -2), 0.25);
  assert.equal(nativeBound(0, -1), 0.5);
});

test('no buckets, or a first bound that is not positive: no native histogram', () => {
  assert.equal(toNativeHistogram({}, [], 0, 0), undefined);
  assert.equal(toNativeHistogram({}, [{ upper: 0, count: 1 }], 0, 0), undefined);
});
