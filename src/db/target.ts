import mysql from 'mysql2';
import type { FieldPacket, Pool, PoolConnection, QueryError as MysqlError } from 'mysql2';
import { ConnectError, DeadlineError, ExporterError, QueryError, errorMessage } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Db } from '../model/collector.js';
import type { QueryOptions, QueryResult } from '../model/rows.js';
import { type Address, addressKey } from './address.js';
import { ConnectBackoff } from './backoff.js';
import { StatementBatcher } from './batch.js';
import type { ConnectGate } from './connect-gate.js';
import { poolOptions } from './pool-options.js';
import { normalize } from './rows.js';
import { type ServerInfo, parseServerInfo } from '../model/server-info.js';
import { connectionOptions, loginSucceeds } from './tls-probe.js';
import type { TargetOptions } from './target-options.js';
import { sessionStatements } from './session.js';

/** Default per-statement cap on received bytes: a rogue or broken server cannot exhaust our memory. */
export const DEFAULT_MAX_RESULT_BYTES = 32 * 1024 * 1024;

/** Errors after which a connection cannot be trusted and the statement may be retried elsewhere. */
const STALE_CONNECTION_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'EPIPE',
  'ER_CONNECTION_KILLED',
  'ER_SERVER_SHUTDOWN',
]);

export function isStaleConnection(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as MysqlError).code;
  return (
    (code !== undefined && STALE_CONNECTION_CODES.has(code)) ||
    /closed state|connection is closed/i.test(err.message)
  );
}

/** mysql2 errors without a code whose fixed text is worth keeping. */
const CODELESS_DRIVER_TEXT =
  /^(Pool is closed\.|Can't add new command when connection is in closed state|Connection lost: The server closed the connection\.)$/;

/**
 * A driver error as our typed error. Which text is kept is decided by where it comes from, never by
 * searching it for the password: the server's own message (`sqlMessage`: the server never echoes a
 * password, which it receives scrambled or, for mysql_clear_password, does not quote); the fixed
 * templates of coded driver and Node errors (codes, addresses, certificate names); ours. Anything else
 * is named by its class only, so no driver text that could echo configuration is carried.
 */
export function wrapError(err: unknown, connecting: boolean): ExporterError {
  if (err instanceof ExporterError) return err;
  const e = err as { code?: string; errno?: number; sqlMessage?: string; message?: string };
  const code = typeof e.code === 'string' ? e.code : undefined;
  // The server's number too: mysql2 names codes from MySQL's table, and MariaDB reuses some numbers
  // (4151 "account is locked" arrives as ER_BULK_PARSER_INCOMPLETE_ESCAPE_SEQUENCE).
  const errno = e.sqlMessage !== undefined && typeof e.errno === 'number' ? ` (errno ${e.errno})` : '';
  const message = typeof e.message === 'string' ? e.message : '';
  const text =
    typeof e.sqlMessage === 'string'
      ? e.sqlMessage
      : code !== undefined || CODELESS_DRIVER_TEXT.test(message)
        ? message
        : `database driver error (${err instanceof Error ? err.name : typeof err})`;
  const msg = `${code ? `${code}${errno}: ` : ''}${text}`;
  return connecting ? new ConnectError(msg, code, { cause: err }) : new QueryError(msg, code, { cause: err });
}

/** The text of a driver error under the same rules, for log lines. */
export function driverErrorText(err: unknown): string {
  return wrapError(err, false).message;
}

/** How long the answer of a TLS probe (tls-probe.ts) is reused. */
const TLS_VERDICT_TTL_MS = 5 * 60_000;

export interface PoolStats {
  readonly all: number;
  readonly free: number;
  readonly queued: number;
}

export class Target {
  readonly key: string;
  readonly address: Address;
  readonly poolSize: number;
  /** Custom query files, KILL QUERY: never more than one statement per call. */
  private readonly pool: Pool;
  /** One session, multi-statement: the batched statements of the exporter's own collectors. */
  private readonly batchPool: Pool;
  private readonly batcher: StatementBatcher;
  private readonly backoff: ConnectBackoff;
  private readonly gate: ConnectGate | undefined;
  /** Per session: what its handshake (and, for MySQL, one query) told about the server. */
  private readonly infos = new WeakMap<object, ServerInfo>();
  /** The info of the batch session open now (replaced when a new session is opened). */
  private current: ServerInfo | undefined;
  private readonly log: Logger;
  private readonly maxResultBytes: number;
  /** For a TCP module without TLS: a login over TLS, to tell whether TLS is what a refusal lacks. */
  private readonly tlsProbe: (() => Promise<boolean>) | undefined;
  /** Whether the server's greeting offered TLS (undefined until a connection saw it). */
  private serverOffersTls: boolean | undefined;
  private tlsVerdict: { readonly at: number; readonly value: Promise<boolean> } | undefined;
  /** Per raw socket: stops its handshake byte cap once the session is ours. */
  private readonly handshakeGuards = new WeakMap<object, () => void>();
  private closed = false;
  /** KILL QUERY statements in flight. */
  private readonly kills = new Set<Promise<unknown>>();
  /** performance.now() when the server last sent anything (a handshake, an answer). */
  private lastAnswer = Number.NEGATIVE_INFINITY;
  /**
   * performance.now() when one of the exporter's own statements (the batch session) was last sent.
   * Statements of query files are not counted: they may legitimately run until the deadline.
   */
  private lastAsked = Number.NEGATIVE_INFINITY;

  constructor(opts: TargetOptions) {
    this.address = opts.address;
    this.key = addressKey(opts.address);
    this.poolSize = opts.poolSize;
    this.log = opts.log.child({ target: this.key });
    this.maxResultBytes = opts.maxResultBytes ?? DEFAULT_MAX_RESULT_BYTES;
    this.tlsProbe =
      opts.credentials.tls.mode === 'off' && opts.address.kind === 'tcp'
        ? () =>
            loginSucceeds(
              connectionOptions(
                poolOptions(
                  { ...opts, credentials: { ...opts.credentials, tls: { mode: 'skip-verify' } } },
                  this.log,
                  () => {},
                ),
              ),
              opts.connectTimeoutMs,
            )
        : undefined;
    this.backoff = opts.backoff ?? new ConnectBackoff();
    this.gate = opts.connectGate;
    const guard = (socket: object, disarm: () => void) => this.handshakeGuards.set(socket, disarm);
    const offers = this.tlsProbe
      ? (offered: boolean) => {
          this.serverOffersTls = offered;
        }
      : undefined;
    this.pool = mysql.createPool(poolOptions(opts, this.log, guard, offers));
    this.batchPool = mysql.createPool({
      ...poolOptions(opts, this.log, guard, offers),
      connectionLimit: 1,
      maxIdle: 1,
      multipleStatements: true,
    });
    for (const pool of [this.pool, this.batchPool]) {
      pool.on('connection', (conn) => this.initSession(conn, opts));
      // An 'error' event with no listener crashes Node; the pool's own errors are logged instead.
      (pool as unknown as NodeJS.EventEmitter).on('error', (err: Error) =>
        this.log.debug('pool error', { err: driverErrorText(err) }),
      );
    }
    this.batcher = new StatementBatcher({
      log: this.log,
      maxResultBytes: this.maxResultBytes,
      // The server stops any statement at statementTimeoutMs (session setting) and the batch then
      // ends by itself: only a server that stopped answering altogether is cut off, later.
      graceMs: opts.abandonGraceMs ?? opts.statementTimeoutMs + 5000,
      acquire: (signal) => this.acquire(signal, this.batchPool),
      kill: (threadId) => this.killQuery(threadId),
      wrap: (err) => wrapError(err, false),
      stale: isStaleConnection,
      onAnswer: () => this.answered(),
    });
  }

  private answered(): void {
    this.lastAnswer = performance.now();
  }

  /**
   * False when statements were sent since `t` (performance.now()) and the server sent nothing back:
   * behind `mysql_up`, now that a scrape sends no statement of its own to check (a frozen server
   * behind an open session sends nothing). Only the batch session's statements count: they are
   * quick, while a slow query-file statement cut off by the deadline says nothing about the server
   * (a scrape of query files only gets one of the exporter's own: ensureAsked).
   */
  answeredSince(t: number): boolean {
    // Nothing asked (e.g. every collector served from its cache): nothing to judge by.
    return this.lastAsked < t || this.lastAnswer >= t;
  }

  /**
   * For a scrape that started at `since` (performance.now()) and may send no statement of the
   * exporter's own (only query files, or every built-in collector served from its cache): once its
   * collectors have queued their first statements (the next turn of the event loop, when the batch
   * goes out), sends `SELECT 1` on the batch session if none was asked, so that answeredSince judges
   * the server by an answer it owes. The batch session is the one serverInfo opened: no other session.
   */
  ensureAsked(since: number, signal: AbortSignal): void {
    setImmediate(() => {
      if (this.lastAsked >= since || signal.aborted || this.closed) return;
      this.lastAsked = performance.now();
      // Its answer is all that matters (onAnswer); a failure is the collectors' to report.
      this.batcher.run('SELECT 1', [], signal).catch(() => {});
    });
  }

  private initSession(conn: PoolConnection, opts: TargetOptions): void {
    this.answered();
    conn.on('error', (err: Error) => this.log.debug('connection error', { err: driverErrorText(err) }));
    // Authenticated: from here on each statement has its own byte cap (execute()).
    const stream = streamOf(conn);
    if (stream) this.handshakeGuards.get(stream)?.();
    const version =
      (conn as unknown as { _handshakePacket?: { serverVersion?: string } })._handshakePacket
        ?.serverVersion ?? '';
    for (const sql of sessionStatements({
      mariadb: /mariadb/i.test(version),
      lockWaitTimeoutSeconds: opts.lockWaitTimeoutSeconds,
      statementTimeoutMs: opts.statementTimeoutMs,
      logSlowFilter: opts.logSlowFilter === true,
    })) {
      conn.query(sql, (err: MysqlError | null) => {
        if (err) this.log.warn('session setting failed', { sql, err: driverErrorText(err) });
      });
    }
  }

  /**
   * The server's flavor and version, from the handshake of the batch session (opened here when
   * there is none: the liveness check behind `mysql_up`). No statement in steady state: a MySQL
   * server's `@@version_comment` (Percona or not) is read once per session and kept with it.
   * Failed connects back off per target (backoff.ts); handshakes wait for the shared gate.
   */
  async serverInfo(signal: AbortSignal): Promise<ServerInfo> {
    // A session is open (idle, or busy with a batch this scrape's statements will queue behind):
    // what its handshake said still holds. Whether it answers decides `mysql_up` (answeredSince).
    const open = poolCounts(this.batchPool).all > 0;
    if (open && this.current !== undefined) return this.current;
    const blocked = this.backoff.blocked();
    if (blocked !== undefined) throw new ConnectError(blocked, 'BACKING_OFF');
    const connecting = !open;
    const leave = connecting && this.gate ? await this.gate.enter(signal) : undefined;
    let conn: PoolConnection;
    try {
      conn = await this.acquire(signal, this.batchPool);
    } catch (err) {
      if (!(err instanceof DeadlineError)) this.backoff.failed(errorMessage(err));
      throw err;
    } finally {
      leave?.();
    }
    this.backoff.succeeded();
    try {
      return await this.infoOf(conn, signal);
    } finally {
      conn.release();
    }
  }

  private async infoOf(conn: PoolConnection, signal: AbortSignal): Promise<ServerInfo> {
    const known = this.infos.get(conn);
    if (known) {
      this.current = known;
      return known;
    }
    const version =
      (conn as unknown as { _handshakePacket?: { serverVersion?: string } })._handshakePacket
        ?.serverVersion ?? '';
    let info = parseServerInfo(version);
    if (!info) throw new ConnectError(`unrecognised server version ${JSON.stringify(version)}`, undefined);
    if (info.flavor === 'mysql') {
      // Percona Server and MariaDB builds with a custom version string show in the comment only.
      const res = await this.execute(conn, 'SELECT @@version_comment AS c', [], signal, true, false);
      info = parseServerInfo(version, String(res.rows[0]?.c ?? '')) ?? info;
    }
    this.infos.set(conn, info);
    this.current = info;
    return info;
  }

  /** A Db handle whose every statement runs under `signal`. */
  db(signal: AbortSignal, batched = false): Db {
    return {
      query: async (sql, params = [], opts = {}) => {
        if (!batched) return this.run(sql, params, signal, false, 0, opts);
        this.lastAsked = performance.now();
        // The batch session reads whole results (each still bounded by the per-statement byte cap),
        // so a row cap keeps the first rows and counts the rest after the fact; statements of query
        // files from --queries.dir never come here and stream their rows (execute).
        const res = await this.batcher.run(sql, params, signal);
        return opts.maxRows === undefined ? res : capRows(res, opts.maxRows);
      },
    };
  }

  /** Multi-statement batches sent so far (one round trip each). */
  get batches(): number {
    return this.batcher.batches;
  }

  /** Both pools together: sessions open, idle, and callers waiting for one. */
  stats(): PoolStats {
    const a = poolCounts(this.pool);
    const b = poolCounts(this.batchPool);
    return { all: a.all + b.all, free: a.free + b.free, queued: a.queued + b.queued };
  }

  /** Consecutive failed connects (0 when the last one succeeded). */
  get connectFailures(): number {
    return this.backoff.consecutiveFailures;
  }

  /** Closes every pooled connection with COM_QUIT (no "Aborted connection" warnings on the server). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // KILL QUERY of abandoned statements first (each bounded by its own 2 s), so that closing the
    // pool never leaves one running on the server.
    await Promise.allSettled([...this.kills]);
    await Promise.all(
      [this.pool, this.batchPool].map((p) => new Promise<void>((resolve) => p.end(() => resolve()))),
    );
  }

  private async run(
    sql: string,
    params: readonly unknown[],
    signal: AbortSignal,
    connecting: boolean,
    attempt = 0,
    opts: QueryOptions = {},
  ): Promise<QueryResult> {
    if (signal.aborted) throw new DeadlineError('deadline exceeded before the query started');
    const conn = await this.acquire(signal, this.pool);
    try {
      return await this.execute(conn, sql, params, signal, connecting, true, opts.maxRows);
    } catch (err) {
      // A pooled connection that the server dropped while idle (restart, wait_timeout, KILL):
      // retry once on a fresh connection. Our statements are read-only, so this is safe.
      if (attempt === 0 && isStaleConnection(err) && !signal.aborted) {
        this.log.debug('stale pooled connection replaced', { err: driverErrorText(err) });
        return this.run(sql, params, signal, connecting, 1, opts);
      }
      throw wrapError(err, connecting);
    }
  }

  private acquire(signal: AbortSignal, pool: Pool): Promise<PoolConnection> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const onAbort = () => {
        if (settled) return;
        settled = true;
        reject(new DeadlineError('deadline exceeded while waiting for a database connection'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      pool.getConnection((err, conn) => {
        signal.removeEventListener('abort', onAbort);
        if (settled) {
          // The caller gave up while we were connecting: hand the connection back for others.
          if (!err) conn.release();
          return;
        }
        settled = true;
        if (err) this.connectError(err).then(reject, reject);
        else resolve(conn);
      });
    });
  }

  /**
   * MariaDB answers a plain connection under require_secure_transport=ON, or by an account that
   * REQUIRES SSL, with the bare "Access denied" of a wrong password: name TLS as the cause only when a
   * login over TLS is accepted (tls-probe.ts).
   */
  private tlsWouldHelp(): Promise<boolean> {
    if (!this.tlsProbe || this.serverOffersTls !== true || this.closed) return Promise.resolve(false);
    const now = Date.now();
    if (!this.tlsVerdict || now - this.tlsVerdict.at > TLS_VERDICT_TTL_MS)
      this.tlsVerdict = { at: now, value: this.tlsProbe() };
    return this.tlsVerdict.value;
  }

  private async connectError(err: unknown): Promise<ExporterError> {
    const e = wrapError(err, true);
    if ((err as { code?: string }).code === 'ER_ACCESS_DENIED_ERROR' && (await this.tlsWouldHelp())) {
      return new ConnectError(
        `${e.message} (TLS is off for this auth module; if the server sets require_secure_transport or the account REQUIRE SSL, set tls = true and ssl-ca)`,
        'ER_ACCESS_DENIED_ERROR',
        { cause: err },
      );
    }
    return e;
  }

  /**
   * Runs one statement on `conn` and reads its rows as the server streams them: the one place that
   * handles the deadline (`signal`), a lost connection, the per-statement byte cap and the row cap.
   * - `signal` aborts: the connection is destroyed (never returned with a statement in flight) and,
   *   unless `connecting` (the statement is itself a KILL or part of opening a session), the
   *   statement killed from another session; DeadlineError.
   * - The connection is lost (server killed, network gone): rejected at once, not at the deadline.
   * - Bytes: mysql2 buffers a whole packet (and we keep the rows), so what one statement may receive
   *   is counted on the socket: past `maxResultBytes` the connection is destroyed and the statement
   *   killed, so an endless result set or a huge packet cannot grow the heap until the deadline. A
   *   result already over `maxRows` ends there as its kept subset (`cutOff`); otherwise
   *   RESULT_TOO_LARGE.
   * - Rows: the first `maxRows` (all without it) are kept, later ones only counted (`dropped`):
   *   memory holds at most `maxRows` rows whatever the result size.
   * Only the first result set is read (query files hold one SELECT). `release`: hand the connection
   * back to its pool when the statement ended cleanly (the caller does otherwise).
   */
  private execute(
    conn: PoolConnection,
    sql: string,
    params: readonly unknown[],
    signal: AbortSignal,
    connecting: boolean,
    release: boolean,
    maxRows = Number.POSITIVE_INFINITY,
  ): Promise<QueryResult> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const threadId = conn.threadId;
      const stream = streamOf(conn);
      let fields: FieldPacket[] | undefined;
      const kept: unknown[] = [];
      let dropped = 0;
      let received = 0;
      const detach = () => {
        signal.removeEventListener('abort', onAbort);
        stream?.removeListener('data', onData);
        conn.removeListener('error', onLost);
      };
      const abandon = () => {
        // Never return a connection with a statement in flight: destroy it and kill the statement.
        conn.destroy();
        if (!connecting && threadId !== null) this.killQuery(threadId);
      };
      const onAbort = () => {
        if (settled) return;
        settled = true;
        detach();
        abandon();
        reject(new DeadlineError('deadline exceeded; statement cancelled'));
      };
      // A query without a callback is not told when its connection is lost: mysql2 reports that on
      // the connection only.
      const onLost = (err: MysqlError) => {
        detach();
        if (settled) return;
        settled = true;
        conn.destroy();
        reject(err);
      };
      const onData = (chunk: Buffer) => {
        this.answered();
        received += chunk.length;
        if (received <= this.maxResultBytes || settled) return;
        settled = true;
        detach();
        abandon();
        if (dropped > 0) {
          resolve({ ...normalize(kept, fields), dropped, cutOff: true });
          return;
        }
        reject(
          new QueryError(
            `the server sent more than ${this.maxResultBytes} bytes for one statement; connection closed`,
            'RESULT_TOO_LARGE',
          ),
        );
      };
      signal.addEventListener('abort', onAbort, { once: true });
      stream?.on('data', onData);
      conn.once('error', onLost);
      const query = conn.query({ sql, values: params as unknown[] });
      query.on('fields', (f: FieldPacket[], index?: number) => {
        if ((index ?? 0) === 0) fields = f;
      });
      query.on('result', (row: unknown, index?: number) => {
        // Only the first result set's rows (an OK packet also arrives as a "result", without fields).
        if ((index ?? 0) !== 0 || fields === undefined || settled) return;
        if (kept.length < maxRows) kept.push(row);
        else dropped++;
      });
      query.on('error', (err: MysqlError) => {
        detach();
        if (settled) return;
        settled = true;
        if (err.fatal) conn.destroy();
        else if (release) conn.release();
        reject(err);
      });
      query.on('end', () => {
        detach();
        if (settled) return;
        settled = true;
        if (release) conn.release();
        resolve(dropped > 0 ? { ...normalize(kept, fields), dropped } : normalize(kept, fields));
      });
    });
  }

  /** Best effort: stop an abandoned statement on the server from another pooled connection. */
  private killQuery(threadId: number): void {
    if (this.closed) return;
    const signal = AbortSignal.timeout(2000);
    const kill = this.run(`KILL QUERY ${Math.trunc(threadId)}`, [], signal, true);
    this.kills.add(kill);
    void kill.finally(() => this.kills.delete(kill)).catch(() => {});
    kill.then(
      () => this.log.debug('killed abandoned statement', { thread_id: threadId }),
      (err: unknown) =>
        this.log.debug('could not kill abandoned statement', {
          thread_id: threadId,
          err: driverErrorText(err),
        }),
    );
  }
}

/** The first `maxRows` rows of a whole result, the rest counted as dropped. */
export function capRows(res: QueryResult, maxRows: number): QueryResult {
  if (res.rows.length <= maxRows) return res;
  return { ...res, rows: res.rows.slice(0, maxRows), dropped: res.rows.length - maxRows };
}

function poolCounts(pool: Pool): PoolStats {
  const p = pool as unknown as {
    _allConnections?: { length: number };
    _freeConnections?: { length: number };
    _connectionQueue?: { length: number };
  };
  return {
    all: p._allConnections?.length ?? 0,
    free: p._freeConnections?.length ?? 0,
    queued: p._connectionQueue?.length ?? 0,
  };
}

/** The connection's current socket (the TLSSocket after the upgrade). Not in mysql2's typings. */
function streamOf(conn: PoolConnection): NodeJS.EventEmitter | undefined {
  const s = (conn as unknown as { stream?: unknown }).stream;
  return s instanceof Object && typeof (s as NodeJS.EventEmitter).on === 'function'
    ? (s as NodeJS.EventEmitter)
    : undefined;
}
