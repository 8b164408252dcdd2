/**
 * What the server sees of the exporter: its sessions and running statements (PROCESSLIST), the
 * global counters the matrix records as deltas, and small polling helpers.
 */
import type { MariaDb } from '../mariadb.js';
import { EXPORTER_USER, sleep } from './db.js';

export interface Sessions {
  /** Connections of the user, whatever they do. */
  readonly total: number;
  /** Of those, the ones running a statement (COMMAND = 'Query'). */
  readonly running: number;
  /** The statements running, for messages. */
  readonly statements: readonly string[];
}

export async function sessions(db: MariaDb, user = EXPORTER_USER): Promise<Sessions> {
  const rows = await db.sql(
    `SELECT ID, COMMAND, INFO FROM information_schema.PROCESSLIST WHERE USER = '${user.replace(/'/g, "''")}'`,
  );
  const running = rows.filter((r) => r.COMMAND === 'Query');
  return {
    total: rows.length,
    running: running.length,
    statements: running.map((r) => String(r.INFO ?? '').slice(0, 80)),
  };
}

export const SERVER_COUNTERS = [
  'Connections',
  'Aborted_connects',
  'Aborted_clients',
  'Threads_connected',
  'Max_used_connections',
] as const;
export type ServerCounter = (typeof SERVER_COUNTERS)[number];
export type ServerCounters = Record<ServerCounter, number>;

export async function serverCounters(db: MariaDb): Promise<ServerCounters> {
  const rows = await db.sql(
    `SHOW GLOBAL STATUS WHERE Variable_name IN (${SERVER_COUNTERS.map((c) => `'${c}'`).join(',')})`,
  );
  const out = {} as ServerCounters;
  for (const c of SERVER_COUNTERS) out[c] = Number(rows.find((r) => r.Variable_name === c)?.Value ?? NaN);
  return out;
}

export function counterDelta(before: ServerCounters, after: ServerCounters): ServerCounters {
  const out = {} as ServerCounters;
  for (const c of SERVER_COUNTERS) out[c] = after[c] - before[c];
  return out;
}

/** Polls `probe` until it returns true; returns the elapsed ms, or throws with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  timeoutMs: number,
  probe: () => Promise<boolean> | boolean,
  intervalMs = 50,
): Promise<number> {
  const t0 = Date.now();
  let last: unknown;
  while (Date.now() - t0 < timeoutMs) {
    try {
      if (await probe()) return Date.now() - t0;
    } catch (err) {
      last = err;
    }
    await sleep(intervalMs);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms${last instanceof Error ? ` (${last.message})` : ''}`);
}

/** Waits until the exporter has no running statement and at most `baseline` sessions; returns ms. */
export async function waitSettled(db: MariaDb, baseline: number, timeoutMs = 5000, user = EXPORTER_USER) {
  let last: Sessions | undefined;
  try {
    return await waitFor('exporter sessions back to the pool baseline', timeoutMs, async () => {
      last = await sessions(db, user);
      return last.running === 0 && last.total <= baseline;
    });
  } catch (err) {
    throw new Error(`${(err as Error).message}; last seen ${JSON.stringify(last)}`);
  }
}

/** Samples sessions every `intervalMs` while `during` runs; returns the peaks. */
export async function watchSessions<T>(
  db: MariaDb,
  during: () => Promise<T>,
  intervalMs = 100,
  user = EXPORTER_USER,
): Promise<{ result: T; peakTotal: number; peakRunning: number; samples: number }> {
  let stop = false;
  let peakTotal = 0;
  let peakRunning = 0;
  let samples = 0;
  const watcher = (async () => {
    while (!stop) {
      try {
        const s = await sessions(db, user);
        peakTotal = Math.max(peakTotal, s.total);
        peakRunning = Math.max(peakRunning, s.running);
        samples++;
      } catch {
        // the server may be down on purpose
      }
      await sleep(intervalMs);
    }
  })();
  try {
    const result = await during();
    return { result, peakTotal, peakRunning, samples };
  } finally {
    stop = true;
    await watcher;
  }
}
