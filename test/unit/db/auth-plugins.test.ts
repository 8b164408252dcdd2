import assert from 'node:assert/strict';
import { constants, createHash, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { TLSSocket } from 'node:tls';
import { describe, test } from 'node:test';
import type { AuthPlugin } from 'mysql2';
import {
  type AuthPolicy,
  AuthProtocolError,
  AuthRefusedError,
  REFUSED_CLEARTEXT_DISABLED,
  REFUSED_CLEARTEXT_UNVERIFIED,
  REFUSED_UNVERIFIED_KEY,
  authPlugins,
  channelOf,
  cleartextDecision,
  passwordDecision,
  sha2Scramble,
} from '../../../src/db/auth-plugins.js';

const PASSWORD = `Cn4ry#?@x;"' %/=+ü`;
const NONCE = Buffer.from('0123456789abcdefghij', 'latin1');
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

type PluginMeta = Parameters<AuthPlugin>[0];

/** A stand-in for a TLSSocket after the handshake (instanceof holds, no network). */
function tlsStream(authorized: boolean): TLSSocket {
  const s = Object.create(TLSSocket.prototype) as TLSSocket;
  Object.defineProperty(s, 'encrypted', { value: true });
  Object.defineProperty(s, 'authorized', { value: authorized });
  return s;
}

function policy(p: Partial<AuthPolicy> = {}): AuthPolicy {
  return { tlsMode: 'off', socket: false, allowCleartext: false, ...p };
}

/** Runs one plugin instance the way mysql2 does: plugin data first, then AuthMoreData payloads. */
function instance(name: string, pol: AuthPolicy, stream: unknown, password = PASSWORD) {
  const plugin = authPlugins(pol)[name];
  assert.ok(plugin, name);
  const meta = { connection: { stream, config: { password } }, command: '' } as unknown as PluginMeta;
  return plugin(meta);
}

function expectedScramble(password: string, nonce: Buffer): Buffer {
  const sha = (...b: Buffer[]) => {
    const h = createHash('sha256');
    for (const x of b) h.update(x);
    return h.digest();
  };
  const a = sha(Buffer.from(password, 'utf8'));
  const b = sha(sha(a), nonce);
  return Buffer.from(a.map((v, i) => v ^ (b[i] ?? 0)));
}

function decryptWithPrivateKey(data: Buffer): string {
  const x = privateDecrypt(
    { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    data,
  );
  for (let i = 0; i < x.length; i++) x[i] = (x[i] ?? 0) ^ (NONCE[i % NONCE.length] ?? 0);
  return x.toString('utf8').replace(/\0$/, '');
}

const contains = (b: unknown, s: string) =>
  Buffer.isBuffer(b) && (b.includes(Buffer.from(s, 'utf8')) || b.includes(Buffer.from(s, 'latin1')));

describe('channelOf', () => {
  test('a socket target is a socket channel whatever the stream', () => {
    assert.equal(channelOf(policy({ socket: true }), {}), 'socket');
  });
  test('plain TCP', () => {
    assert.equal(channelOf(policy({ tlsMode: 'verify' }), {}), 'plain-tcp');
    assert.equal(channelOf(policy(), undefined), 'plain-tcp');
  });
  test('TLS counts as verified only in verify mode AND with an authorized peer', () => {
    assert.equal(channelOf(policy({ tlsMode: 'verify' }), tlsStream(true)), 'verified-tls');
    assert.equal(channelOf(policy({ tlsMode: 'verify' }), tlsStream(false)), 'unverified-tls');
    assert.equal(channelOf(policy({ tlsMode: 'skip-verify' }), tlsStream(true)), 'unverified-tls');
    assert.equal(channelOf(policy({ tlsMode: 'off' }), tlsStream(true)), 'unverified-tls');
  });
});

describe('decisions', () => {
  test('password: clear over verified TLS or a socket, pinned key otherwise, else refused', () => {
    const pinned = policy({ serverPublicKey: publicKey });
    assert.equal(passwordDecision(policy(), 'verified-tls').kind, 'cleartext');
    assert.equal(passwordDecision(policy(), 'socket').kind, 'cleartext');
    assert.equal(passwordDecision(pinned, 'verified-tls').kind, 'cleartext');
    assert.equal(passwordDecision(pinned, 'plain-tcp').kind, 'pinned-key');
    assert.equal(passwordDecision(pinned, 'unverified-tls').kind, 'pinned-key');
    for (const ch of ['plain-tcp', 'unverified-tls'] as const) {
      const d = passwordDecision(policy(), ch);
      assert.equal(d.kind, 'refuse');
      if (d.kind === 'refuse') {
        assert.equal(d.error.code, 'AUTH_REFUSED_UNVERIFIED_SERVER');
        assert.equal(d.error.message, REFUSED_UNVERIFIED_KEY);
      }
    }
  });

  test('cleartext: needs the opt-in AND a trusted channel; a pinned key does not help', () => {
    const on = policy({ allowCleartext: true, serverPublicKey: publicKey });
    for (const ch of ['socket', 'verified-tls', 'unverified-tls', 'plain-tcp'] as const) {
      const off = cleartextDecision(policy(), ch);
      assert.equal(off.kind, 'refuse', ch);
      if (off.kind === 'refuse') assert.equal(off.error.message, REFUSED_CLEARTEXT_DISABLED);
    }
    assert.equal(cleartextDecision(on, 'socket').kind, 'cleartext');
    assert.equal(cleartextDecision(on, 'verified-tls').kind, 'cleartext');
    for (const ch of ['unverified-tls', 'plain-tcp'] as const) {
      const d = cleartextDecision(on, ch);
      assert.equal(d.kind, 'refuse', ch);
      if (d.kind === 'refuse') assert.equal(d.error.message, REFUSED_CLEARTEXT_UNVERIFIED);
    }
  });
});

describe('caching_sha2_password plugin', () => {
  test('fast path: the scramble, never the password; 0x03 ends it', () => {
    const step = instance('caching_sha2_password', policy(), {});
    const token = step(Buffer.concat([NONCE, Buffer.from([0])]));
    assert.ok(Buffer.isBuffer(token));
    assert.deepEqual(token, expectedScramble(PASSWORD, NONCE));
    assert.deepEqual(sha2Scramble(PASSWORD, NONCE), token);
    assert.equal(contains(token, PASSWORD), false);
    assert.equal(step(Buffer.from([0x03])), null);
  });

  test('full authentication over plain TCP without a pinned key is refused, nothing returned', () => {
    const step = instance('caching_sha2_password', policy(), {});
    step(NONCE);
    assert.throws(
      () => step(Buffer.from([0x04])),
      (err: unknown) =>
        err instanceof AuthRefusedError &&
        err.code === 'AUTH_REFUSED_UNVERIFIED_SERVER' &&
        err.message === REFUSED_UNVERIFIED_KEY,
    );
  });

  test('full authentication over skip-verify TLS is refused too (mysql2 alone would send it in clear)', () => {
    const step = instance('caching_sha2_password', policy({ tlsMode: 'skip-verify' }), tlsStream(true));
    step(NONCE);
    assert.throws(() => step(Buffer.from([0x04])), AuthRefusedError);
  });

  test('a public key the server sends is never used', () => {
    const pem = Buffer.from(publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const step = instance('caching_sha2_password', policy(), {});
    step(NONCE);
    assert.throws(() => step(Buffer.concat([Buffer.from([0x01]), pem])), AuthProtocolError);
    assert.throws(() => step(pem), AuthProtocolError);
  });

  test('with a pinned key, the password is RSA-OAEP encrypted to that key', () => {
    const step = instance('caching_sha2_password', policy({ serverPublicKey: publicKey }), {});
    step(NONCE);
    const out = step(Buffer.from([0x04]));
    assert.ok(Buffer.isBuffer(out));
    assert.equal(out.length, 256);
    assert.equal(contains(out, PASSWORD), false);
    assert.equal(decryptWithPrivateKey(out), PASSWORD);
  });

  test('over verified TLS or a socket, full authentication sends the password', () => {
    for (const [pol, stream] of [
      [policy({ tlsMode: 'verify' }), tlsStream(true)],
      [policy({ socket: true }), {}],
    ] as const) {
      const step = instance('caching_sha2_password', pol, stream);
      step(NONCE);
      assert.deepEqual(step(Buffer.from([0x04])), Buffer.from(`${PASSWORD}\0`, 'utf8'));
    }
  });

  test('an empty password sends an empty scramble', () => {
    const step = instance('caching_sha2_password', policy(), {}, '');
    assert.deepEqual(step(NONCE), Buffer.alloc(0));
  });
});

describe('sha256_password plugin', () => {
  test('plain TCP without a pinned key: refused on the first packet (no key request)', () => {
    const step = instance('sha256_password', policy(), {});
    assert.throws(() => step(NONCE), AuthRefusedError);
  });
  test('unverified TLS without a pinned key: refused', () => {
    const step = instance('sha256_password', policy({ tlsMode: 'skip-verify' }), tlsStream(false));
    assert.throws(() => step(NONCE), AuthRefusedError);
  });
  test('pinned key: encrypted; socket: clear', () => {
    const pinned = instance('sha256_password', policy({ serverPublicKey: publicKey }), {});
    const out = pinned(NONCE);
    assert.ok(Buffer.isBuffer(out));
    assert.equal(decryptWithPrivateKey(out), PASSWORD);
    const sock = instance('sha256_password', policy({ socket: true }), {});
    assert.deepEqual(sock(NONCE), Buffer.from(`${PASSWORD}\0`, 'utf8'));
    assert.throws(() => sock(NONCE), AuthProtocolError);
  });
});

describe('mysql_clear_password plugin', () => {
  test('refused without the opt-in, even over verified TLS', () => {
    const step = instance('mysql_clear_password', policy({ tlsMode: 'verify' }), tlsStream(true));
    assert.throws(() => step(Buffer.alloc(0)), /enable-cleartext-plugin/);
  });
  test('refused with the opt-in over plain TCP or unverified TLS', () => {
    const on = { allowCleartext: true };
    assert.throws(() => instance('mysql_clear_password', policy(on), {})(Buffer.alloc(0)), AuthRefusedError);
    assert.throws(
      () =>
        instance(
          'mysql_clear_password',
          policy({ ...on, tlsMode: 'skip-verify' }),
          tlsStream(true),
        )(Buffer.alloc(0)),
      AuthRefusedError,
    );
  });
  test('sent with the opt-in over verified TLS or a socket', () => {
    const on = { allowCleartext: true };
    const clear = Buffer.from(`${PASSWORD}\0`, 'utf8');
    assert.deepEqual(
      instance(
        'mysql_clear_password',
        policy({ ...on, tlsMode: 'verify' }),
        tlsStream(true),
      )(Buffer.alloc(0)),
      clear,
    );
    assert.deepEqual(
      instance('mysql_clear_password', policy({ ...on, socket: true }), {})(Buffer.alloc(0)),
      clear,
    );
  });
});

test('authPlugins registers exactly the three password-carrying plugins', () => {
  assert.deepEqual(Object.keys(authPlugins(policy())).sort(), [
    'caching_sha2_password',
    'mysql_clear_password',
    'sha256_password',
  ]);
});
