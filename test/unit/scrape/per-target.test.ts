import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freshState } from '../../../src/declarative/target-state.js';
import { Lru as PerTarget } from '../../../src/lru.js';

test('per-target state is bounded: the least recently used target is forgotten', () => {
  const states = new PerTarget<ReturnType<typeof freshState>>(3);
  const get = (k: string) => states.get(k) ?? states.set(k, freshState());
  const a = get('a');
  a.errors = 5;
  get('b');
  get('c');
  get('a');
  get('d');
  assert.equal(states.size, 3);
  assert.equal(get('a').errors, 5);
  assert.equal(get('b').errors, 0);
});

test('set replaces and refreshes; delete forgets', () => {
  const m = new PerTarget<number>(2);
  m.set('x', 1);
  m.set('y', 2);
  m.set('x', 3);
  m.set('z', 4);
  assert.equal(m.get('y'), undefined, 'y was the least recently used');
  assert.equal(m.get('x'), 3);
  m.delete('x');
  assert.equal(m.get('x'), undefined);
  assert.equal(m.size, 1);
});
