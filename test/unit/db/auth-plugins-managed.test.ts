/** The auth-plugin decisions added for MySQL 8 and managed servers: get-server-public-key, IAM tokens, Cloud SQL proxy. */
import assert from 'node:assert/strict';
import { constants, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { describe, test } from 'node:test';
import type { AuthPlugin } from 'mysql2';
import {
  type AuthPolicy,
  AuthProtocolError,
  REFUSED_IAM_UNVERIFIED,
  REFUSED_UNVERIFIED_KEY,
  authPlugins,
  channelOf,
  cleartextDecision,
  passwordDecision,
} from '../../../src/db/auth-plugins.js';

const PASSWORD = 'pw-8.4';
const NONCE = Buffer.from('0123456789abcdefghij', 'latin1');
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = publicKey.export({ type: 'spki', format: 'pem' }).toString();

function policy(p: Partial<AuthPolicy> = {}): AuthPolicy {
  return { tlsMode: 'off', socket: false, allowCleartext: false, ...p };
}

function tlsStream(authorized: boolean): TLSSocket {
  const s = Object.create(TLSSocket.prototype) as TLSSocket;
  Object.defineProperty(s, 'encrypted', { value: true });
  Object.defineProperty(s, 'authorized', { value: authorized });
  return s;
}

function tcpStream(remoteAddress: string): Socket {
  const s = new Socket();
  Object.defineProperty(s, 'remoteAddress', { value: remoteAddress });
  return s;
}

function instance(name: string, pol: AuthPolicy, stream: unknown, password = PASSWORD) {
  const plugin = authPlugins(pol)[name];
  assert.ok(plugin);
  const meta = {
    connection: { stream, config: { password } },
    command: '',
  } as unknown as Parameters<AuthPlugin>[0];
  return plugin(meta);
}

describe('get-server-public-key', () => {
  test('off (the default): full authentication over plain TCP is refused, nothing is requested', () => {
    const d = passwordDecision(policy(), 'plain-tcp', true);
    assert.equal(d.kind, 'refuse');
    const run = instance('caching_sha2_password', policy(), tcpStream('10.0.0.5'));
    run(NONCE);
    assert.throws(() => run(Buffer.from([0x04])), new RegExp(REFUSED_UNVERIFIED_KEY.slice(0, 30)));
  });

  test('on: asks for the key (0x02), then encrypts the password to the key the server sent', () => {
    const run = instance(
      'caching_sha2_password',
      policy({ getServerPublicKey: true }),
      tcpStream('10.0.0.5'),
    );
    run(NONCE);
    assert.deepEqual(run(Buffer.from([0x04])), Buffer.from([0x02]));
    const enc = run(Buffer.from(PEM)) as Buffer;
    const clear = privateDecrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      enc,
    );
    const plain = Buffer.from(clear.map((b, i) => b ^ (NONCE[i % NONCE.length] ?? 0)));
    assert.equal(plain.toString('utf8'), `${PASSWORD}\0`);
  });

  test('on: a pin still wins, a trusted channel still sends in clear, sha256_password never fetches', () => {
    assert.equal(
      passwordDecision(policy({ getServerPublicKey: true, serverPublicKey: publicKey }), 'plain-tcp', true)
        .kind,
      'pinned-key',
    );
    assert.equal(
      passwordDecision(policy({ getServerPublicKey: true }), 'verified-tls', true).kind,
      'cleartext',
    );
    assert.equal(passwordDecision(policy({ getServerPublicKey: true }), 'plain-tcp', false).kind, 'refuse');
  });

  test('on: garbage instead of a key fails the handshake', () => {
    const run = instance(
      'caching_sha2_password',
      policy({ getServerPublicKey: true }),
      tcpStream('10.0.0.5'),
    );
    run(NONCE);
    run(Buffer.from([0x04]));
    assert.throws(() => run(Buffer.from('not a key')), AuthProtocolError);
  });
});

describe('aws-iam-auth', () => {
  const iam = policy({
    tlsMode: 'verify',
    iamToken: async () => 'host:3306/?Action=connect&X-Amz-Signature=abc',
  });

  test('the token goes only over verified TLS; the password is never used', async () => {
    const out = await instance('mysql_clear_password', iam, tlsStream(true), 'ignored')(Buffer.alloc(0));
    assert.equal(String(out), 'host:3306/?Action=connect&X-Amz-Signature=abc\0');
    for (const c of ['unverified-tls', 'plain-tcp', 'socket', 'loopback-proxy'] as const) {
      const d = cleartextDecision(iam, c);
      assert.equal(d.kind, 'refuse', c);
      if (d.kind === 'refuse') assert.equal(d.error.message, REFUSED_IAM_UNVERIFIED);
    }
  });

  test('refused before the token is even generated', () => {
    let made = 0;
    const pol = policy({ tlsMode: 'skip-verify', iamToken: async () => `t${++made}` });
    assert.throws(
      () => instance('mysql_clear_password', pol, tlsStream(false))(Buffer.alloc(0)),
      /IAM auth token/,
    );
    assert.equal(made, 0);
  });
});

describe('cloud-sql-proxy', () => {
  test('a plain TCP connection to a loopback address counts as protected, another address does not', () => {
    const pol = policy({ loopbackProxy: true });
    assert.equal(channelOf(pol, tcpStream('127.0.0.1')), 'loopback-proxy');
    assert.equal(channelOf(pol, tcpStream('::1')), 'loopback-proxy');
    assert.equal(channelOf(pol, tcpStream('10.0.0.5')), 'plain-tcp');
    assert.equal(channelOf(policy(), tcpStream('127.0.0.1')), 'plain-tcp', 'only with the opt-in');
    assert.equal(passwordDecision(pol, 'loopback-proxy').kind, 'cleartext');
    assert.equal(cleartextDecision({ ...pol, allowCleartext: true }, 'loopback-proxy').kind, 'cleartext');
    assert.equal(
      cleartextDecision(pol, 'loopback-proxy').kind,
      'refuse',
      'cleartext still needs its own opt-in',
    );
  });
});
