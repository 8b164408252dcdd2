import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scrapeDeadline } from '../../../src/http/deadline.js';

const s = { defaultSeconds: 10, offsetSeconds: 0.25, maxSeconds: 120 };

test('a valid header minus the offset is the deadline', () => {
  assert.deepEqual(scrapeDeadline('3', s), { seconds: 2.75, source: 'header' });
  assert.deepEqual(scrapeDeadline('10.5', s), { seconds: 10.25, source: 'header' });
});

test('a malformed, missing or too small header falls back to the configured default, never to none', () => {
  for (const h of [undefined, '', 'abc', '-5', '0', 'NaN', 'Infinity', '0.2', '0.25', '1e9x']) {
    assert.deepEqual(scrapeDeadline(h, s), { seconds: 9.75, source: 'default' }, String(h));
  }
});

test('a huge header is capped', () => {
  assert.equal(scrapeDeadline('1000000000', s).seconds, 119.75);
});
