/**
 * The statements of the exporter's own collectors, sent in one round trip: every statement queued
 * while the event loop is busy with one scrape's collectors goes out as one multi-statement
 * COM_QUERY on a connection of this batcher's own (a pool of one, `multipleStatements` on), and the
 * result sets come back in order. Only statements written in this code base come here: custom query
 * files run on the Target's other pool, which never accepts several statements in one call.
 *
 * A failing statement ends the server's batch: the statements before it have their results, it gets
 * its error, and the ones after it go out again in the next batch. A caller whose deadline passes
 * gets its DeadlineError at once; the batch is left to finish on the server (its connection is not
 * thrown away, so a slow server does not turn timeouts into reconnects: the next batch waits for
 * it), and is only destroyed (and its statement killed) when it is still running `graceMs` after
 * every caller gave up (by default past the server-side statement bound: the server has stopped
 * answering).
 */
import mysql from 'mysql2';
import type { FieldPacket, PoolConnection, QueryError as MysqlError } from 'mysql2';
import { DeadlineError, type ExporterError, QueryError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { QueryResult } from '../model/rows.js';
import { normalize } from './rows.js';

export interface BatcherOptions {
  readonly log: Logger;
  /** Bytes one statement may receive; a batch may receive this times its statement count. */
  readonly maxResultBytes: number;
  /** How long an abandoned batch may keep running before its connection is destroyed. */
  readonly graceMs: number;
  /** Acquires the batch connection (connect gate, backoff, errors typed by the caller). */
  readonly acquire: (signal: AbortSignal) => Promise<PoolConnection>;
  /** Best effort: stops a statement on the server (another session). */
  readonly kill: (threadId: number) => void;
  /** Driver errors as typed errors. */
  readonly wrap: (err: unknown) => ExporterError;
  /** Errors after which the connection is gone and a statement may be retried once. */
  readonly stale: (err: unknown) => boolean;
  /** Called whenever the server sends bytes (it is alive). */
  readonly onAnswer?: () => void;
}

/** At most this many statements in one COM_QUERY (the rest go in the next batch). */
export const MAX_BATCH = 64;

interface Entry {
  readonly sql: string;
  readonly signal: AbortSignal;
  readonly resolve: (r: QueryResult) => void;
  readonly reject: (e: unknown) => void;
  readonly onAbort: () => void;
  settled: boolean;
  retried: boolean;
}

/** One statement without trailing semicolons and white space (they would add an empty statement). */
export function oneStatement(sql: string, params: readonly unknown[]): string {
  const text = params.length > 0 ? mysql.format(sql, params as Parameters<typeof mysql.format>[1]) : sql;
  return text.replace(/[\s;]+$/, '');
}

export class StatementBatcher {
  private queue: Entry[] = [];
  /** The batch in flight: told when one of its callers gives up (one listener per caller). */
  private onCallerGone: (() => void) | undefined;
  private scheduled = false;
  private inFlight = false;
  /** Batches sent (tests and the bench count round trips with it). */
  batches = 0;

  constructor(private readonly opts: BatcherOptions) {}

  run(sql: string, params: readonly unknown[], signal: AbortSignal): Promise<QueryResult> {
    if (signal.aborted)
      return Promise.reject(new DeadlineError('deadline exceeded before the query started'));
    const text = oneStatement(sql, params);
    return new Promise<QueryResult>((resolve, reject) => {
      const entry: Entry = {
        sql: text,
        signal,
        resolve,
        reject,
        settled: false,
        retried: false,
        onAbort: () => {
          if (entry.settled) return;
          this.settle(entry);
          const i = this.queue.indexOf(entry);
          if (i >= 0) this.queue.splice(i, 1);
          reject(new DeadlineError('deadline exceeded; statement abandoned'));
          this.onCallerGone?.();
        },
      };
      signal.addEventListener('abort', entry.onAbort, { once: true });
      this.queue.push(entry);
      this.schedule();
    });
  }

  private settle(e: Entry): void {
    e.settled = true;
    e.signal.removeEventListener('abort', e.onAbort);
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight || this.queue.length === 0) return;
    this.scheduled = true;
    // After the current macrotask: the collectors of one scrape all queue their first statement.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const entries = this.queue.splice(0, MAX_BATCH).filter((e) => !e.settled);
    if (entries.length === 0) return this.schedule();
    this.inFlight = true;
    // The connection is acquired under the batch's own signal: it ends when every caller gave up.
    const abandon = new AbortController();
    this.onCallerGone = () => {
      if (entries.every((e) => e.settled)) abandon.abort();
    };
    let conn: PoolConnection;
    try {
      conn = await this.opts.acquire(abandon.signal);
    } catch (err) {
      this.onCallerGone = undefined;
      for (const e of entries) {
        if (e.settled) continue;
        this.settle(e);
        e.reject(err);
      }
      this.inFlight = false;
      return this.schedule();
    }
    this.batches++;
    await this.send(conn, entries);
    this.onCallerGone = undefined;
    this.inFlight = false;
    this.schedule();
  }

  /** Sends one batch; resolves when the connection is released or destroyed. */
  private send(conn: PoolConnection, entries: Entry[]): Promise<void> {
    return new Promise<void>((done) => {
      const stream = (conn as unknown as { stream?: NodeJS.EventEmitter }).stream;
      const cap = this.opts.maxResultBytes * entries.length;
      let received = 0;
      let finished = false;
      let grace: NodeJS.Timeout | undefined;
      const threadId = conn.threadId;
      const cleanup = () => {
        finished = true;
        if (grace) clearTimeout(grace);
        stream?.removeListener('data', onData);
        this.onCallerGone = undefined;
      };
      const fail = (err: unknown, destroy: boolean) => {
        cleanup();
        for (const e of entries) {
          if (e.settled) continue;
          this.settle(e);
          e.reject(err);
        }
        if (destroy) conn.destroy();
        else conn.release();
        done();
      };
      const onData = (chunk: Buffer) => {
        this.opts.onAnswer?.();
        received += chunk.length;
        if (received > cap && !finished)
          fail(
            new QueryError(
              `the server sent more than ${this.opts.maxResultBytes} bytes per statement; connection closed`,
              'RESULT_TOO_LARGE',
            ),
            true,
          );
      };
      // Every caller gone: let the server finish for graceMs, then stop it.
      const callerGone = () => {
        if (finished || grace || !entries.every((e) => e.settled)) return;
        grace = setTimeout(() => {
          if (finished) return;
          this.opts.log.debug('abandoned batch still running; connection closed', {
            statements: entries.length,
          });
          fail(new DeadlineError('abandoned'), true);
          if (threadId !== null) this.opts.kill(threadId);
        }, this.opts.graceMs);
      };
      this.onCallerGone = callerGone;
      callerGone();
      stream?.on('data', onData);
      const sql = entries.map((e) => e.sql).join(';\n');
      const q = conn.query(sql, (err: MysqlError | null, rows: unknown, fields: unknown) => {
        if (finished) return;
        if (!err) {
          cleanup();
          conn.release();
          if (entries.length === 1) this.resolve(entries[0]!, rows, fields as FieldPacket[]);
          else {
            const all = rows as unknown[];
            const allFields = fields as Array<FieldPacket[] | undefined>;
            for (const [i, e] of entries.entries()) this.resolve(e, all[i], allFields[i]);
          }
          done();
          return;
        }
        // The statements before the failing one completed; their results are on the command.
        const cmd = q as unknown as { _resultIndex: number; _rows: unknown[]; _fields: unknown[] };
        const failed = Math.min(cmd._resultIndex, entries.length - 1);
        for (let i = 0; i < failed; i++) {
          this.resolve(entries[i]!, cmd._rows[i], cmd._fields[i] as FieldPacket[] | undefined);
        }
        const rest = entries.slice(failed + 1).filter((e) => !e.settled);
        const culprit = entries[failed]!;
        if (err.fatal) {
          // The connection is gone: nothing after the first statement was answered.
          const retry = this.opts.stale(err)
            ? entries.slice(failed).filter((e) => !e.settled && !e.retried)
            : [];
          for (const e of retry) e.retried = true;
          this.queue.unshift(...retry);
          const others = entries.slice(failed).filter((e) => !retry.includes(e));
          cleanup();
          for (const e of others) {
            if (e.settled) continue;
            this.settle(e);
            e.reject(this.opts.wrap(err));
          }
          conn.destroy();
          done();
          return;
        }
        cleanup();
        conn.release();
        if (!culprit.settled) {
          this.settle(culprit);
          culprit.reject(this.opts.wrap(err));
        }
        // Not executed: they go out again, first in line.
        this.queue.unshift(...rest);
        done();
      });
    });
  }

  private resolve(e: Entry, rows: unknown, fields: FieldPacket[] | undefined): void {
    if (e.settled) return;
    this.settle(e);
    e.resolve(normalize(rows, fields));
  }
}
