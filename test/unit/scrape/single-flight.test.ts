import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SingleFlight, TooManyWaitersError } from '../../../src/scrape/single-flight.js';

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

test('concurrent callers of one key share one round', async () => {
  const sf = new SingleFlight<number>(10);
  let runs = 0;
  const gate = deferred<number>();
  const work = async () => {
    runs++;
    return gate.promise;
  };
  const callers = Array.from({ length: 5 }, () => sf.join('k', new AbortController().signal, 5000, work));
  await new Promise((r) => setImmediate(r));
  gate.resolve(7);
  assert.deepEqual(await Promise.all(callers), [7, 7, 7, 7, 7]);
  assert.equal(runs, 1);
  assert.equal(sf.inFlight, 0);
});

test('different keys run separately; a finished round is not reused', async () => {
  const sf = new SingleFlight<string>(10);
  let runs = 0;
  const work = async () => `r${++runs}`;
  assert.equal(await sf.join('a', new AbortController().signal, 1000, work), 'r1');
  assert.equal(await sf.join('a', new AbortController().signal, 1000, work), 'r2');
  assert.equal(await sf.join('b', new AbortController().signal, 1000, work), 'r3');
});

test('past maxWaiters a caller is refused at once', async () => {
  const sf = new SingleFlight<number>(2);
  const gate = deferred<number>();
  const a = sf.join('k', new AbortController().signal, 5000, () => gate.promise);
  const b = sf.join('k', new AbortController().signal, 5000, () => gate.promise);
  await assert.rejects(
    sf.join('k', new AbortController().signal, 5000, () => gate.promise),
    TooManyWaitersError,
  );
  gate.resolve(1);
  assert.deepEqual(await Promise.all([a, b]), [1, 1]);
});

test('the shared work is aborted only when every caller has gone', async () => {
  const sf = new SingleFlight<number>(10);
  let workSignal: AbortSignal | undefined;
  const work = (s: AbortSignal) => {
    workSignal = s;
    return new Promise<number>(() => {});
  };
  const c1 = new AbortController();
  const c2 = new AbortController();
  const p1 = sf.join('k', c1.signal, 60_000, work);
  const p2 = sf.join('k', c2.signal, 60_000, work);
  await new Promise((r) => setImmediate(r));
  c1.abort();
  await assert.rejects(p1);
  assert.equal(workSignal?.aborted, false, 'one caller remains');
  c2.abort();
  await assert.rejects(p2);
  assert.equal(workSignal?.aborted, true);
  assert.equal(sf.inFlight, 0);
});

test('the round deadline aborts the work', async () => {
  const sf = new SingleFlight<number>(10);
  const p = sf.join(
    'k',
    new AbortController().signal,
    30,
    (s) => new Promise<number>((_r, reject) => s.addEventListener('abort', () => reject(new Error('cut')))),
  );
  await assert.rejects(p, /cut/);
});
