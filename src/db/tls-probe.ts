/**
 * Is TLS what a refused login lacks? MariaDB answers a plain connection by an account that REQUIRES
 * SSL, or to a server with require_secure_transport, with the same "Access denied" as a wrong password.
 * After such a refusal of a module without TLS, one login over TLS (certificate not verified: it only
 * tells whether TLS changes the answer, and our auth plugins never send a clear password over it) says
 * which it is: accepted means TLS is required; refused, or no TLS on the server, means it is not.
 * The probe connection is closed as soon as the answer is known. It is made only when the server's greeting
 * offered TLS (read from the refused connection's first packet), and its verdict is kept a while, so a
 * server without TLS never sees an extra connection and a wrong password costs one probe, not one per
 * scrape.
 */
import mysql, { type ConnectionOptions, type PoolOptions } from 'mysql2';

/** CLIENT_SSL in the lower capability flags of the server greeting. */
const CLIENT_SSL = 0x0800;

/**
 * Whether a server greeting (protocol 10: length, sequence, version 10, NUL-terminated server
 * version, thread id, 8 bytes of scramble, filler, lower capability flags) offers TLS; undefined until
 * enough bytes arrived, or for anything else (an error packet).
 */
export function greetingOffersTls(buf: Buffer): boolean | undefined {
  if (buf.length < 5 || buf[4] !== 10) return undefined;
  const nul = buf.indexOf(0, 5);
  if (nul < 0) return undefined;
  const flags = nul + 1 + 4 + 8 + 1;
  if (buf.length < flags + 2) return undefined;
  return (buf.readUInt16LE(flags) & CLIENT_SSL) !== 0;
}

/** Pool-only fields that a single connection does not take. */
const POOL_ONLY = ['connectionLimit', 'maxIdle', 'idleTimeout', 'waitForConnections', 'queueLimit'] as const;

export function connectionOptions(pool: PoolOptions): ConnectionOptions {
  const o: Record<string, unknown> = { ...pool };
  for (const k of POOL_ONLY) delete o[k];
  return o as ConnectionOptions;
}

/** True when a login with `options` (TLS on) succeeds within `timeoutMs`. */
export function loginSucceeds(options: ConnectionOptions, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let done = false;
    const conn = mysql.createConnection(options);
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      conn.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    conn.on('error', () => finish(false));
    conn.connect((err) => finish(err === null || err === undefined));
  });
}
