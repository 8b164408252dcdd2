/**
 * Is TLS what a refused login lacks? MariaDB answers a plain connection by an account that REQUIRES
 * SSL, or to a server with require_secure_transport, with the same "Access denied" as a wrong password.
 * After such a refusal of a module without TLS, one login over TLS (certificate not verified: it only
 * tells whether TLS changes the answer, and our auth plugins never send a clear password over it) says
 * which it is: accepted means TLS is required; refused, or no TLS on the server, means it is not.
 * The probe connection is closed as soon as the answer is known.
 */
import mysql, { type ConnectionOptions, type PoolOptions } from 'mysql2';

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
