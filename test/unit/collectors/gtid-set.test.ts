import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countMissing, parseGtidSet } from '../../../src/collectors/gtid-set.js';

const A = '61221e31-1ef3-11ed-a56a-0242ac120002';
const B = '6151d979-1ef3-11ed-a509-0242ac120003';

test('GTID sets: received minus executed, with gaps, several sources, tags and newlines', () => {
  const recv = parseGtidSet(`${A}:1-10:12,\n${B}:1-3`);
  const exec = parseGtidSet(`${A}:1-4:6-7,${B}:1-3`);
  assert.ok(recv && exec);
  // A: 1-10 and 12 (11 transactions) minus 1-4, 6-7 (6) = 5; B: nothing missing.
  assert.equal(countMissing(recv, exec), 5);
  assert.equal(countMissing(recv, new Map()), 14);
  const tagged = parseGtidSet(`${A}:1-3:blue:1-2`);
  assert.ok(tagged);
  assert.equal(countMissing(tagged, exec), 2, 'tagged GTIDs are a source of their own');
  assert.equal(parseGtidSet('not-a-gtid:1-3'), undefined);
  assert.equal(parseGtidSet(`${A}:5-3`), undefined);
  assert.equal(parseGtidSet('')?.size, 0);
});
