import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectBackoff } from '../../../src/db/backoff.js';
import { ConnectGate } from '../../../src/db/connect-gate.js';
import { DeadlineError } from '../../../src/errors.js';

test('backoff doubles per failed connect up to its cap and resets on success', () => {
  let now = 0;
  const b = new ConnectBackoff({ baseMs: 1000, maxMs: 8000, now: () => now, random: () => 0 });
  assert.equal(b.blocked(), undefined);
  // The first failure does not block the next attempt.
  b.failed('ECONNREFUSED');
  assert.equal(b.blocked(), undefined);
  const waits: number[] = [];
  for (let i = 0; i < 6; i++) {
    b.failed('ECONNREFUSED');
    let w = 0;
    while (b.blocked() !== undefined) {
      now += 100;
      w += 100;
    }
    waits.push(w);
  }
  assert.deepEqual(waits, [1000, 2000, 4000, 8000, 8000, 8000]);
  b.failed('ECONNREFUSED');
  assert.match(b.blocked() ?? '', /8 failed attempts \(last: ECONNREFUSED\)/);
  b.succeeded();
  assert.equal(b.blocked(), undefined);
  assert.equal(b.consecutiveFailures, 0);
});

test('the connect gate admits `limit` at once, hands slots on in order, and honours deadlines', async () => {
  const gate = new ConnectGate(2);
  const never = new AbortController().signal;
  const r1 = await gate.enter(never);
  const r2 = await gate.enter(never);
  const order: number[] = [];
  const third = gate.enter(never).then((r) => {
    order.push(3);
    return r;
  });
  const ac = new AbortController();
  const fourth = gate.enter(ac.signal);
  ac.abort();
  await assert.rejects(fourth, DeadlineError);
  assert.equal(gate.inProgress, 2);
  r1();
  r1(); // a second release is a no-op
  const r3 = await third;
  assert.deepEqual(order, [3]);
  assert.equal(gate.inProgress, 2);
  r2();
  r3();
  assert.equal(gate.inProgress, 0);
});
