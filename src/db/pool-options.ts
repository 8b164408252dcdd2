/**
 * mysql2 pool options for one Target: our own socket (TLS name, handshake byte cap), our auth plugins
 * (no password to an unverified server), per-pool TLS material, no LOCAL INFILE, no multi-statements.
 */
import { type KeyObject, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Socket, connect as netConnect } from 'node:net';
import type { PoolOptions, SslOptions } from 'mysql2';
import type { Logger } from '../log/logger.js';
import type { Address } from './address.js';
import { type AuthPolicy, authPlugins } from './auth-plugins.js';
import { managedPolicy } from './managed-auth.js';
import type { TargetOptions } from './target-options.js';
import { greetingOffersTls } from './tls-probe.js';

/** Bytes a server may send before authentication completes (a greeting and auth packets are < 1 KiB). */
export const MAX_HANDSHAKE_BYTES = 256 * 1024;

/** Parses the pinned key; an unreadable or invalid file leaves none, so full authentication is refused. */
function pinnedKey(opts: TargetOptions, read: (p: string) => Buffer, log: Logger): KeyObject | undefined {
  const path = opts.serverPublicKeyPath;
  if (!path) return undefined;
  try {
    const key = createPublicKey(read(path));
    if (key.asymmetricKeyType !== 'rsa') throw new Error('not an RSA key');
    return key;
  } catch (err) {
    log.error(
      'server-public-key-path is not a readable RSA public key; full authentication will be refused',
      {
        err: err instanceof Error ? err.message : String(err),
      },
    );
    return undefined;
  }
}

/**
 * Opens the socket ourselves (mysql2's `stream` factory): the connect address may differ from the
 * TLS name (tls-server-name), and the server may send at most MAX_HANDSHAKE_BYTES before the session
 * is authenticated. mysql2 drops this socket's 'data' listeners when it upgrades to TLS, which ends
 * the count there; after that the TLS handshake and connectTimeout bound the phase.
 */
function socketFactory(
  a: Address,
  tlsName: string | undefined,
  keepAlive: boolean,
  guard: (socket: Socket, disarm: () => void) => void,
  greeting?: (offersTls: boolean) => void,
): () => Socket {
  return () => {
    const socket =
      a.kind === 'socket' ? netConnect({ path: a.path }) : netConnect({ host: a.host, port: a.port });
    if (a.kind === 'tcp') {
      socket.setNoDelay(true);
      if (keepAlive) socket.once('connect', () => socket.setKeepAlive(true, 0));
      // mysql2 passes no `servername` for an IP host, so Node checks the certificate against
      // `socket._host`, which it only sets after a DNS lookup: for an IP literal the check would run
      // against "localhost". Give it the name we mean (the target IP, or tls-server-name).
      if (tlsName !== undefined) Object.assign(socket, { _host: tlsName });
    }
    let received = 0;
    const count = (chunk: Buffer) => {
      received += chunk.length;
      if (received > MAX_HANDSHAKE_BYTES) {
        socket.removeListener('data', count);
        socket.destroy(
          Object.assign(
            new Error(`the server sent more than ${MAX_HANDSHAKE_BYTES} bytes before authentication`),
            {
              code: 'HANDSHAKE_TOO_LARGE',
            },
          ),
        );
      }
    };
    socket.on('data', count);
    guard(socket, () => socket.removeListener('data', count));
    if (greeting) {
      // Whether the server offers TLS, read from its first packet (tls-probe.ts).
      let head = Buffer.alloc(0);
      const sniff = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const offers = greetingOffersTls(head);
        if (offers !== undefined || head.length >= 512) {
          socket.removeListener('data', sniff);
          if (offers !== undefined) greeting(offers);
        }
      };
      socket.on('data', sniff);
    }
    return socket;
  };
}

export function poolOptions(
  opts: TargetOptions,
  log: Logger,
  guard: (socket: Socket, disarm: () => void) => void,
  greeting?: (offersTls: boolean) => void,
): PoolOptions {
  const a = opts.address;
  const base: PoolOptions = {
    user: opts.credentials.user,
    password: opts.credentials.password.reveal(),
    connectionLimit: opts.poolSize,
    maxIdle: opts.poolSize,
    waitForConnections: true,
    queueLimit: 1000,
    connectTimeout: opts.connectTimeoutMs,
    enableKeepAlive: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    multipleStatements: false,
    // Never offer LOCAL INFILE, never read files for the server.
    flags: ['-LOCAL_FILES'],
    charset: 'utf8mb4_general_ci',
    // The exporter prepares no statement. mysql2's default (16,000) sizes an LRU of four arrays
    // of that length on every connection (~0.5 MiB each); 1 is the least it accepts (0 means default).
    maxPreparedStatements: 1,
  };
  const read = opts.readFile ?? ((p: string) => readFileSync(p));
  const tls = opts.credentials.tls;
  if (a.kind === 'socket') base.socketPath = a.path;
  else {
    // mysql2 takes the TLS name (SNI and the certificate check) from `host`; the socket factory
    // connects to the real address. An IP `host` makes Node check the certificate against that IP.
    base.host = tls.mode !== 'off' && tls.serverName ? tls.serverName : a.host;
    base.port = a.port;
  }
  const tlsName = a.kind === 'tcp' && tls.mode !== 'off' ? (tls.serverName ?? a.host) : undefined;
  base.stream = socketFactory(a, tlsName, base.enableKeepAlive === true, guard, greeting);
  const policy: AuthPolicy = {
    tlsMode: tls.mode,
    socket: a.kind === 'socket',
    allowCleartext: opts.allowCleartext === true,
    ...optional('serverPublicKey', pinnedKey(opts, read, log)),
    ...managedPolicy(opts),
  };
  // An IAM token replaces the password; the first handshake answer must not depend on it.
  if (opts.auth?.awsIam) base.password = '';
  // Ours for caching_sha2_password, sha256_password and mysql_clear_password (auth-plugins.ts).
  // Never set authSwitchHandler (it bypasses every plugin check) nor infileStreamFactory.
  base.authPlugins = authPlugins(policy);
  if (tls.mode !== 'off') {
    // A fresh object per pool, files read once here: mysql2 caches TLS contexts and sessions per
    // ssl object, so no two auth modules ever share CA, client certificate or session.
    const verify = tls.mode === 'verify';
    base.ssl = {
      rejectUnauthorized: verify,
      // mysql2 checks the host name only with verifyIdentity; `verify` means chain AND name.
      verifyIdentity: verify,
      minVersion: tls.minVersion ?? 'TLSv1.2',
      ...(tls.ca ? { ca: read(tls.ca) } : {}),
      ...(tls.cert ? { cert: read(tls.cert) } : {}),
      ...(tls.key ? { key: read(tls.key) } : {}),
    } satisfies SslOptions;
  }
  return base;
}

function optional<K extends string, V>(k: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [k]: v }) as { [P in K]?: V };
}
