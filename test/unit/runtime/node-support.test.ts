import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unsupportedNode } from '../../../src/runtime/node-support.js';

test('Node.js 20 and older are named as unsupported at start-up; 22 and 24 are not', () => {
  assert.match(unsupportedNode('v20.20.2') ?? '', /Node\.js v20\.20\.2 is not supported/);
  assert.match(unsupportedNode('v18.0.0') ?? '', /not supported/);
  assert.equal(unsupportedNode('v22.15.0'), undefined);
  assert.equal(unsupportedNode('v24.22.3'), undefined);
  assert.equal(unsupportedNode('not a version'), undefined);
});
