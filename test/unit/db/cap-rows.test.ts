import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capRows } from '../../../src/db/target.js';

const result = (n: number) => ({ columns: ['v'], rows: Array.from({ length: n }, (_, i) => ({ v: i })) });

test('capRows keeps the first maxRows rows of a batched result and counts the rest as dropped', () => {
  const capped = capRows(result(5), 3);
  assert.deepEqual(
    capped.rows.map((r) => r.v),
    [0, 1, 2],
  );
  assert.equal(capped.dropped, 2);
  assert.deepEqual(capped.columns, ['v']);
});

test('capRows leaves a result within the cap untouched (no dropped count)', () => {
  const whole = result(3);
  assert.equal(capRows(whole, 3), whole);
  assert.equal(capRows(whole, 3).dropped, undefined);
});
