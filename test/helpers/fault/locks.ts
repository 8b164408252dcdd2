/**
 * Lock holders from other sessions (as admin): a metadata lock held by an open transaction, a DDL
 * statement queued behind it, a table lock and a row lock. Each returns a release function.
 */
import type mysql from 'mysql2/promise';
import type { MariaDb } from '../mariadb.js';

export interface Held {
  readonly conn: mysql.Connection;
  release(): Promise<void>;
}

/** `BEGIN; SELECT * FROM <table>` left open: a shared metadata lock until release. */
export async function holdMetadataLock(db: MariaDb, table = 't1.t'): Promise<Held> {
  const conn = await db.connect();
  await conn.query('BEGIN');
  await conn.query(`SELECT * FROM ${table}`);
  return {
    conn,
    async release() {
      await conn.query('ROLLBACK').catch(() => {});
      await conn.end().catch(() => {});
    },
  };
}

/**
 * Starts `ALTER TABLE <table> ADD COLUMN ...` in another session; it waits behind any metadata lock
 * and, while waiting, blocks every new reader of the table. `done` settles when the ALTER finishes.
 */
export async function queueDdl(
  db: MariaDb,
  table = 't1.t',
  column = `c${Date.now() % 100000}`,
): Promise<{ done: Promise<number>; cancel(): Promise<void> }> {
  const conn = await db.connect();
  await conn.query('SET SESSION lock_wait_timeout = 30');
  const t0 = Date.now();
  const done = conn
    .query(`ALTER TABLE ${table} ADD COLUMN ${column} INT`)
    .then(() => Date.now() - t0)
    .finally(() => conn.end().catch(() => {}));
  // Keep an unobserved rejection from failing the test process.
  done.catch(() => {});
  return {
    done,
    async cancel() {
      conn.destroy();
    },
  };
}

/** `LOCK TABLES <table> WRITE` in another session. */
export async function holdTableWriteLock(db: MariaDb, table = 't1.t'): Promise<Held> {
  const conn = await db.connect();
  await conn.query(`LOCK TABLES ${table} WRITE`);
  return {
    conn,
    async release() {
      await conn.query('UNLOCK TABLES').catch(() => {});
      await conn.end().catch(() => {});
    },
  };
}

/** `BEGIN; SELECT ... FOR UPDATE` on every row of the table, left open. */
export async function holdRowLocks(db: MariaDb, table = 't1.t'): Promise<Held> {
  const conn = await db.connect();
  await conn.query('BEGIN');
  await conn.query(`SELECT * FROM ${table} FOR UPDATE`);
  return {
    conn,
    async release() {
      await conn.query('ROLLBACK').catch(() => {});
      await conn.end().catch(() => {});
    },
  };
}
