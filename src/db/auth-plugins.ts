/**
 * The mysql2 `authPlugins` every pool gets: our own `caching_sha2_password`, `sha256_password` and
 * `mysql_clear_password`, so that the password never leaves the exporter in a recoverable form toward
 * a server it has not verified. Threat model and rationale: docs/security.md.
 *
 * How mysql2 (3.24.x) picks a plugin, and why registering ours is enough:
 * - `client_handshake.js` answers the server greeting directly only when no custom plugin is
 *   registered under the server's advertised name; with ours registered it answers with a
 *   `mysql_native_password` scramble, and the server must send an AuthSwitchRequest, which
 *   `auth_switch.js` routes to `connection.config.authPlugins[name]` (own properties only).
 * - Every later AuthMoreData packet goes to the same plugin instance. A plugin that throws
 *   synchronously fails the handshake (`handshakeResult` marks the error fatal and keeps our code);
 *   nothing is written to the socket.
 * - mysql2's own plugins decide "secure" from `config.ssl || config.socketPath` (caching_sha2) or
 *   "any TLS socket" (sha256): an `ssl` object with `rejectUnauthorized:false` counts as secure, and
 *   without TLS they ask the server for its RSA key and encrypt the password to whatever key arrives.
 *   Ours decide from the live socket (a TLSSocket whose certificate chain and host name verified,
 *   with the section in `verify` mode) and never request or accept a server-supplied key.
 * - `authSwitchHandler` (legacy API, bypasses every check) and `infileStreamFactory` are never set.
 *
 * Decisions:
 * - The scramble (caching_sha2 fast path, native password) is always allowed: it is what every MySQL
 *   client sends and is not the password.
 * - The password itself (caching_sha2 full authentication, sha256_password) goes in clear only over
 *   verified TLS or a unix socket; otherwise RSA-encrypted to the pinned `server-public-key-path` key;
 *   otherwise the handshake fails with REFUSED_UNVERIFIED_KEY.
 * - `mysql_clear_password` needs both `enable-cleartext-plugin` in the section AND verified TLS or a
 *   unix socket (stricter than mysqld_exporter, which only needs the flag). A pinned key does not help:
 *   the plugin has no encryption.
 * - Opt-ins per section (auth-extras.ts, docs/managed.md): `get-server-public-key` lets
 *   caching_sha2_password ask for the server key and trust the first one (as the MySQL client does);
 *   `cloud-sql-proxy` makes a plain TCP connection to a loopback address count like a unix socket;
 *   `aws-iam-auth` sends an IAM token with mysql_clear_password over verified TLS only, and the token
 *   is generated only once that is known.
 */
import { ExporterError } from '../errors.js';
import { type KeyObject, constants, createHash, createPublicKey, publicEncrypt } from 'node:crypto';
import { TLSSocket } from 'node:tls';
import type { AuthPlugin } from 'mysql2';
import { isLoopbackHost } from './auth-extras.js';

export const REFUSED_UNVERIFIED_KEY =
  "refusing to send the password to an unverified server's public key; use TLS with a CA or server-public-key-path";
export const REFUSED_CLEARTEXT_DISABLED =
  'refusing mysql_clear_password: the server asked for the password in clear text; set enable-cleartext-plugin in the auth module and use TLS with a CA or a unix socket';
export const REFUSED_IAM_UNVERIFIED =
  'refusing to send an IAM auth token over a connection that is not verified TLS; set tls = true with the RDS CA bundle in ssl-ca';
export const REFUSED_CLEARTEXT_UNVERIFIED =
  'refusing mysql_clear_password over a connection that is not verified TLS or a unix socket; set tls = true with ssl-ca';

export type AuthRefusalCode = 'AUTH_REFUSED_UNVERIFIED_SERVER' | 'AUTH_REFUSED_CLEARTEXT';

/** A handshake we ended on purpose. mysql2 marks it fatal and keeps `code`. */
export class AuthRefusedError extends ExporterError {
  declare readonly code: AuthRefusalCode;
  fatal = true;
  constructor(code: AuthRefusalCode, message: string) {
    super(code, message);
  }
}

/** The server answered with something our plugin state machine does not expect. */
export class AuthProtocolError extends ExporterError {
  fatal = true;
  constructor(message: string) {
    super('AUTH_PROTOCOL_ERROR', message);
  }
}

/** What one auth module (cnf section) allows; built once per pool. */
export interface AuthPolicy {
  /** The section's TLS mode: only `verify` can make a channel verified. */
  readonly tlsMode: 'off' | 'verify' | 'skip-verify';
  /** The target is a unix socket (local, protected by file permissions). */
  readonly socket: boolean;
  /** The pinned RSA public key (`server-public-key-path`), parsed. */
  readonly serverPublicKey?: KeyObject;
  /** `enable-cleartext-plugin` in the section. */
  readonly allowCleartext: boolean;
  /** `get-server-public-key`: without a trusted channel or pinned key, ask the server for its key. */
  readonly getServerPublicKey?: boolean;
  /** `cloud-sql-proxy`: a plain TCP connection to a loopback address counts as protected. */
  readonly loopbackProxy?: boolean;
  /**
   * `aws-iam-auth`: the password is this provider's token, sent with mysql_clear_password over
   * verified TLS only (never a socket, a proxy or a pinned key).
   */
  readonly iamToken?: () => Promise<string>;
}

/** How the connection is protected right now, from the live socket, not from the configuration alone. */
export type Channel = 'socket' | 'verified-tls' | 'unverified-tls' | 'loopback-proxy' | 'plain-tcp';

export function channelOf(policy: AuthPolicy, stream: unknown): Channel {
  if (policy.socket) return 'socket';
  if (stream instanceof TLSSocket && stream.encrypted) {
    return policy.tlsMode === 'verify' && stream.authorized === true ? 'verified-tls' : 'unverified-tls';
  }
  const remote = (stream as { remoteAddress?: unknown } | undefined)?.remoteAddress;
  if (policy.loopbackProxy && typeof remote === 'string' && isLoopbackHost(remote)) return 'loopback-proxy';
  return 'plain-tcp';
}

const trusted = (c: Channel): boolean => c === 'socket' || c === 'verified-tls' || c === 'loopback-proxy';

export type PasswordDecision =
  | { readonly kind: 'cleartext' }
  | { readonly kind: 'pinned-key'; readonly key: KeyObject }
  | { readonly kind: 'fetch-key' }
  | { readonly kind: 'refuse'; readonly error: AuthRefusedError };

/**
 * caching_sha2_password full authentication and sha256_password: how (or whether) to send the
 * password. `fetch-key` (ask the server for its key) only with `get-server-public-key` and only for
 * caching_sha2_password (`fetchAllowed`), as in the MySQL client.
 */
export function passwordDecision(
  policy: AuthPolicy,
  channel: Channel,
  fetchAllowed = false,
): PasswordDecision {
  if (trusted(channel)) return { kind: 'cleartext' };
  if (policy.serverPublicKey) return { kind: 'pinned-key', key: policy.serverPublicKey };
  if (fetchAllowed && policy.getServerPublicKey === true) return { kind: 'fetch-key' };
  return {
    kind: 'refuse',
    error: new AuthRefusedError('AUTH_REFUSED_UNVERIFIED_SERVER', REFUSED_UNVERIFIED_KEY),
  };
}

/** mysql_clear_password: allowed only with the section's opt-in over a trusted channel. */
export function cleartextDecision(policy: AuthPolicy, channel: Channel): PasswordDecision {
  if (policy.iamToken) {
    return channel === 'verified-tls'
      ? { kind: 'cleartext' }
      : { kind: 'refuse', error: new AuthRefusedError('AUTH_REFUSED_CLEARTEXT', REFUSED_IAM_UNVERIFIED) };
  }
  if (!policy.allowCleartext) {
    return {
      kind: 'refuse',
      error: new AuthRefusedError('AUTH_REFUSED_CLEARTEXT', REFUSED_CLEARTEXT_DISABLED),
    };
  }
  if (!trusted(channel)) {
    return {
      kind: 'refuse',
      error: new AuthRefusedError('AUTH_REFUSED_CLEARTEXT', REFUSED_CLEARTEXT_UNVERIFIED),
    };
  }
  return { kind: 'cleartext' };
}

// --- protocol pieces (MySQL's documented algorithms) ---

const FAST_AUTH_OK = 0x03;
const PERFORM_FULL_AUTH = 0x04;
const REQUEST_PUBLIC_KEY = 0x02;
const SCRAMBLE_LENGTH = 20;

function sha256(...parts: Buffer[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** The caching_sha2_password scramble: SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) + nonce). */
export function sha2Scramble(password: string, nonce: Buffer): Buffer {
  if (password === '') return Buffer.alloc(0);
  const p1 = sha256(Buffer.from(password, 'utf8'));
  const p2 = sha256(sha256(p1), nonce);
  const out = Buffer.alloc(p1.length);
  for (let i = 0; i < p1.length; i++) out[i] = (p1[i] ?? 0) ^ (p2[i] ?? 0);
  return out;
}

/** The NUL-terminated password XORed with the nonce (repeated), RSA-OAEP(SHA-1) to the pinned key. */
export function encryptPassword(password: string, nonce: Buffer, key: KeyObject): Buffer {
  const clear = Buffer.from(`${password}\0`, 'utf8');
  for (let i = 0; i < clear.length; i++) clear[i] = (clear[i] ?? 0) ^ (nonce[i % nonce.length] ?? 0);
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, clear);
}

function passwordBytes(password: string, nonce: Buffer, decision: PasswordDecision): Buffer {
  switch (decision.kind) {
    case 'cleartext':
      return Buffer.from(`${password}\0`, 'utf8');
    case 'pinned-key':
      return encryptPassword(password, nonce, decision.key);
    case 'fetch-key':
      return Buffer.from([REQUEST_PUBLIC_KEY]);
    case 'refuse':
      throw decision.error;
  }
}

/** The parts of mysql2's connection object our plugins read (not in its typings). */
interface ConnectionView {
  readonly stream?: unknown;
  readonly config?: { readonly password?: string };
}

function view(connection: unknown): ConnectionView {
  return (typeof connection === 'object' && connection !== null ? connection : {}) as ConnectionView;
}

function nonceOf(data: Buffer): Buffer {
  return Buffer.from(data.subarray(0, SCRAMBLE_LENGTH));
}

function cachingSha2(policy: AuthPolicy): AuthPlugin {
  return ({ connection }) => {
    const conn = view(connection);
    const password = conn.config?.password ?? '';
    let state: 'initial' | 'token-sent' | 'key-requested' | 'done' = 'initial';
    let nonce: Buffer = Buffer.alloc(0);
    return (data: Buffer) => {
      if (state === 'initial') {
        nonce = nonceOf(data);
        state = 'token-sent';
        return sha2Scramble(password, nonce);
      }
      if (state === 'token-sent' && data.length === 1 && data[0] === FAST_AUTH_OK) {
        state = 'done';
        return null;
      }
      if (state === 'token-sent' && data.length === 1 && data[0] === PERFORM_FULL_AUTH) {
        const decision = passwordDecision(policy, channelOf(policy, conn.stream), true);
        state = decision.kind === 'fetch-key' ? 'key-requested' : 'done';
        return passwordBytes(password, nonce, decision);
      }
      if (state === 'key-requested') {
        // Only after we asked (get-server-public-key): the first key the server sends is trusted.
        state = 'done';
        let key: KeyObject;
        try {
          key = createPublicKey(data);
        } catch {
          throw new AuthProtocolError('caching_sha2_password: the server sent no usable RSA public key');
        }
        if (key.asymmetricKeyType !== 'rsa')
          throw new AuthProtocolError('caching_sha2_password: the server key is not an RSA key');
        return encryptPassword(password, nonce, key);
      }
      // Includes a public key the server sends unasked: we never use one we did not ask for.
      state = 'done';
      throw new AuthProtocolError('caching_sha2_password: unexpected authentication data from the server');
    };
  };
}

function sha256Password(policy: AuthPolicy): AuthPlugin {
  return ({ connection }) => {
    const conn = view(connection);
    const password = conn.config?.password ?? '';
    let done = false;
    return (data: Buffer) => {
      if (done)
        throw new AuthProtocolError('sha256_password: unexpected authentication data from the server');
      done = true;
      const nonce = nonceOf(data);
      return passwordBytes(password, nonce, passwordDecision(policy, channelOf(policy, conn.stream)));
    };
  };
}

function clearPassword(policy: AuthPolicy): AuthPlugin {
  return ({ connection }) => {
    const conn = view(connection);
    const password = conn.config?.password ?? '';
    let done = false;
    return (): Buffer | Promise<Buffer> => {
      if (done) throw new AuthProtocolError('mysql_clear_password: unexpected authentication data');
      done = true;
      const decision = cleartextDecision(policy, channelOf(policy, conn.stream));
      const token = policy.iamToken;
      // The IAM token is generated only once the channel is known to be verified TLS.
      if (token && decision.kind === 'cleartext')
        return token().then((t): Buffer => passwordBytes(t, Buffer.alloc(0), decision));
      return passwordBytes(password, Buffer.alloc(0), decision);
    };
  };
}

/**
 * The `authPlugins` option for one pool. Registering all three names also keeps mysql2 from using its
 * built-in shortcuts for them in the first handshake response.
 */
export function authPlugins(policy: AuthPolicy): Record<string, AuthPlugin> {
  return {
    caching_sha2_password: cachingSha2(policy),
    sha256_password: sha256Password(policy),
    mysql_clear_password: clearPassword(policy),
  };
}
