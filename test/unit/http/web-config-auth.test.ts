/** Basic auth for the web config: header parsing, the cache key, the authenticator's guarantees. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BasicAuthenticator,
  authCacheKey,
  bcryptCost,
  parseBasicAuthorization,
} from '../../../src/http/basic-auth.js';
import type { BcryptVerifier } from '../../../src/http/basic-auth-worker.js';

// bcrypt of "secret" at cost 4 and at cost 6.
const HASH4 = '$2b$04$L7itaXpIjSVsK7aevsmC..7jooZN0Pc5cM7i3WqeVINnTYKSrL7Km';
const HASH6 = '$2b$06$mpu4C7MRGaxLcn3PoDG4gOmfbk9QkAuPjxk0BnTbUI7Ug7xT8DjIe';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** A verifier that records its calls and answers `answer(password, hash)` after `release()`. */
class FakeVerifier implements BcryptVerifier {
  readonly calls: Array<{ password: string; hash: string }> = [];
  #gate: Promise<void> = Promise.resolve();
  #open: () => void = () => {};
  constructor(readonly answer: (password: string, hash: string) => boolean) {}
  hold(): void {
    this.#gate = new Promise((r) => {
      this.#open = r;
    });
  }
  release(): void {
    this.#open();
  }
  async compare(password: string, hash: string): Promise<boolean> {
    this.calls.push({ password, hash });
    await this.#gate;
    return this.answer(password, hash);
  }
  async close(): Promise<void> {}
}

describe('basic auth helpers', () => {
  test('parseBasicAuthorization', () => {
    assert.deepEqual(parseBasicAuthorization(basic('alice', 'pa:ss')), { user: 'alice', password: 'pa:ss' });
    assert.deepEqual(parseBasicAuthorization(`basic ${Buffer.from('a:').toString('base64')}`), {
      user: 'a',
      password: '',
    });
    assert.deepEqual(parseBasicAuthorization(basic('ü', 'ö')), { user: 'ü', password: 'ö' });
    for (const bad of [
      undefined,
      '',
      'Basic',
      'Basic ',
      `Bearer ${Buffer.from('a:b').toString('base64')}`,
      `Basic ${Buffer.from('nocolon').toString('base64')}`,
      'Basic !!!!',
      `Basic ${Buffer.from('a:b').toString('base64')} extra`,
    ])
      assert.equal(parseBasicAuthorization(bad), undefined, String(bad));
  });

  test('bcryptCost validates the whole hash', () => {
    assert.equal(bcryptCost(HASH4), 4);
    assert.equal(bcryptCost(HASH6), 6);
    assert.equal(bcryptCost(HASH4.replace('$2b$', '$2a$')), 4);
    assert.equal(bcryptCost(HASH4.replace('$2b$', '$2y$')), 4);
    assert.equal(bcryptCost(HASH4.replace('$2b$', '$2$')), 4);
    for (const bad of [
      '',
      'secret',
      HASH4.slice(1),
      HASH4.replace('$04$', '$03$'),
      HASH4.replace('$04$', '$32$'),
      `${HASH4} `,
    ])
      assert.equal(bcryptCost(bad), undefined, bad);
  });

  test('the cache key cannot be confused: every split of the same concatenation gives a new key (CVE-2022-46146)', () => {
    const whole = `alice${HASH4}secret`;
    const keys = new Set<string>();
    let n = 0;
    for (let i = 0; i <= whole.length; i += 3)
      for (let j = i; j <= whole.length; j += 5) {
        keys.add(authCacheKey(whole.slice(0, i), whole.slice(i, j), whole.slice(j)));
        n++;
      }
    assert.equal(keys.size, n);
    assert.match(authCacheKey('a', 'b', 'c'), /^[0-9a-f]{64}$/);
  });
});

describe('BasicAuthenticator', () => {
  const users = new Map([
    ['alice', HASH4],
    ['bob', HASH6],
  ]);

  test('real bcrypt: good, wrong password, unknown user, no header, malformed header', async () => {
    const auth = new BasicAuthenticator();
    try {
      assert.equal(await auth.authenticate(users, basic('alice', 'secret')), 'ok');
      assert.equal(await auth.authenticate(users, basic('bob', 'secret')), 'ok');
      assert.equal(await auth.authenticate(users, basic('alice', 'Secret')), 'denied');
      assert.equal(await auth.authenticate(users, basic('carol', 'secret')), 'denied');
      assert.equal(await auth.authenticate(users, undefined), 'denied');
      assert.equal(await auth.authenticate(users, 'Basic xyz'), 'denied');
      // Cached answers stay right.
      assert.equal(await auth.authenticate(users, basic('alice', 'secret')), 'ok');
      assert.equal(await auth.authenticate(users, basic('alice', 'Secret')), 'denied');
    } finally {
      await auth.close();
    }
  });

  test('the CVE-2022-46146 poisoning inputs never authenticate, before or after a good login', async () => {
    const auth = new BasicAuthenticator();
    const poison = [
      basic(`alice${HASH4}`, 'secret'),
      basic('alice', `${HASH4}secret`),
      basic('alice', `${HASH4}fakepassword`),
      basic(`alice${HASH4}fakepassword`, ''),
      basic('alice', HASH4),
      basic(`${HASH4}`, 'secret'),
      basic('', `alice${HASH4}secret`),
    ];
    try {
      for (const h of poison) assert.equal(await auth.authenticate(users, h), 'denied', h);
      assert.equal(await auth.authenticate(users, basic('alice', 'secret')), 'ok');
      for (const h of poison) assert.equal(await auth.authenticate(users, h), 'denied', h);
    } finally {
      await auth.close();
    }
  });

  test('unknown users are compared against a dummy of the highest configured cost, and never pass', async () => {
    const v = new FakeVerifier(() => true); // says yes to everything
    const auth = new BasicAuthenticator({ verifier: v });
    assert.equal(await auth.authenticate(users, basic('mallory', 'anything')), 'denied');
    assert.equal(v.calls.length, 1, 'an unknown user costs one comparison, like a known one');
    const dummy = v.calls[0]?.hash ?? '';
    assert.equal(bcryptCost(dummy), 6);
    assert.ok(dummy !== HASH4 && dummy !== HASH6);
    // The same dummy for every unknown user.
    await auth.authenticate(users, basic('trudy', 'x'));
    assert.equal(v.calls[1]?.hash, dummy);
    assert.equal(await auth.authenticate(users, basic('alice', 'whatever')), 'ok');
  });

  test('identical concurrent attempts share one comparison', async () => {
    const v = new FakeVerifier((p) => p === 'secret');
    v.hold();
    const auth = new BasicAuthenticator({ verifier: v });
    const good = Array.from({ length: 50 }, () => auth.authenticate(users, basic('alice', 'secret')));
    const bad = Array.from({ length: 50 }, () => auth.authenticate(users, basic('alice', 'wrong')));
    await new Promise((r) => setImmediate(r));
    assert.equal(v.calls.length, 2);
    v.release();
    assert.deepEqual(new Set(await Promise.all(good)), new Set(['ok']));
    assert.deepEqual(new Set(await Promise.all(bad)), new Set(['denied']));
  });

  test('past maxPending distinct comparisons, the answer is busy at once (and cached users still pass)', async () => {
    const v = new FakeVerifier((p) => p === 'secret');
    const auth = new BasicAuthenticator({ verifier: v, maxPending: 3 });
    assert.equal(await auth.authenticate(users, basic('alice', 'secret')), 'ok');
    v.hold();
    const waiting = [1, 2, 3].map((i) => auth.authenticate(users, basic('alice', `bad${i}`)));
    assert.equal(await auth.authenticate(users, basic('alice', 'bad4')), 'busy');
    assert.equal(await auth.authenticate(users, basic('alice', 'secret')), 'ok');
    assert.equal(auth.pending, 3);
    v.release();
    assert.deepEqual(await Promise.all(waiting), ['denied', 'denied', 'denied']);
    assert.equal(auth.pending, 0);
  });

  test('a flood of bad passwords does not evict cached good logins', async () => {
    const v = new FakeVerifier((p) => p === 'secret');
    const auth = new BasicAuthenticator({ verifier: v, cacheSize: 4 });
    await auth.authenticate(users, basic('alice', 'secret'));
    for (let i = 0; i < 20; i++) await auth.authenticate(users, basic('alice', `bad${i}`));
    const before = v.calls.length;
    assert.equal(await auth.authenticate(users, basic('alice', 'secret')), 'ok');
    assert.equal(v.calls.length, before, 'the good login was still cached');
  });

  test('a changed hash is not served from the cache', async () => {
    const auth = new BasicAuthenticator();
    try {
      assert.equal(await auth.authenticate(users, basic('alice', 'secret')), 'ok');
      const other = new Map([['alice', '$2b$04$abcdefghijklmnopqrstuu5Xh2bLXHr2p5o3NsqiB6FzFs0OyNJ3a']]);
      assert.equal(await auth.authenticate(other, basic('alice', 'secret')), 'denied');
    } finally {
      await auth.close();
    }
  });

  test('a failing verifier fails closed (the promise rejects, nothing is cached)', async () => {
    const auth = new BasicAuthenticator({
      verifier: {
        compare: () => Promise.reject(new Error('worker died')),
        close: async () => {},
      },
    });
    await assert.rejects(auth.authenticate(users, basic('alice', 'secret')), /worker died/);
    await assert.rejects(auth.authenticate(users, basic('alice', 'secret')), /worker died/);
  });
});
