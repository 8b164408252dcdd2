/**
 * Throwaway MariaDB servers for fault tests (built on test/helpers/mariadb.ts): the exporter account
 * with the canary password, a small InnoDB table t1.t, and the faults themselves: freeze (SIGSTOP),
 * thaw, kill -9, restart, grant and limit changes, global variables.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { type MariaDb, createExporterUser, sqlString, startMariaDb } from '../mariadb.js';
import { CANARY } from './canary.js';

export const EXPORTER_USER = 'exporter';

export interface FaultDbOptions {
  readonly args?: readonly string[];
  /** MAX_USER_CONNECTIONS of the exporter account (default 5). */
  readonly maxUserConnections?: number;
}

/** Starts a server with the exporter account (canary password) and `t1.t (id, v)` holding one row. */
export async function startFaultDb(opts: FaultDbOptions = {}): Promise<MariaDb> {
  const db = await startMariaDb({ args: opts.args ?? [] });
  try {
    await createExporterUser(db, EXPORTER_USER, CANARY, opts.maxUserConnections ?? 5);
    await db.sql(
      'CREATE DATABASE t1',
      'CREATE TABLE t1.t (id INT PRIMARY KEY, v INT) ENGINE=InnoDB',
      'INSERT INTO t1.t VALUES (1, 1)',
    );
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return db;
}

/** Another account with the exporter's grants (the recommended ones). */
export const createUser = createExporterUser;

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every thread of `pid` in the stopped state (`T`), read from /proc/<pid>/task/<tid>/stat. */
function allThreadsStopped(pid: number): boolean {
  try {
    const tids = readdirSync(`/proc/${pid}/task`);
    return tids.every((tid) => {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // The state follows the parenthesised command name, which may itself contain spaces.
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      return state === 'T' || state === 't';
    });
  } catch {
    return false;
  }
}

/**
 * SIGSTOP: the server keeps its sockets (the kernel still accepts TCP) but answers nothing.
 * kill() returns before the group stop has reached every thread; on a loaded machine a connection
 * thread can still answer a statement for some milliseconds. Wait until every thread is stopped.
 */
export async function freeze(db: MariaDb): Promise<void> {
  db.signal('SIGSTOP');
  const pid = db.pid;
  if (pid === undefined) throw new Error('freeze: the server is not running');
  const deadline = Date.now() + 5000;
  while (!allThreadsStopped(pid)) {
    if (Date.now() > deadline) throw new Error(`freeze: mariadbd ${pid} did not stop within 5 s`);
    await sleep(2);
  }
}

export function thaw(db: MariaDb): void {
  db.signal('SIGCONT');
}

/** kill -9 and wait until the process is gone. */
export async function kill9(db: MariaDb): Promise<void> {
  const pid = db.pid;
  db.signal('SIGKILL');
  if (pid === undefined) return;
  const deadline = Date.now() + 10_000;
  while (alive(pid) && Date.now() < deadline) await sleep(20);
  if (alive(pid)) throw new Error('mariadbd survived SIGKILL');
}

/** Stops (SIGTERM, or whatever state it is in) and starts the same datadir on the same port. */
export async function restart(db: MariaDb): Promise<void> {
  await db.stop();
  await db.start();
}

/** SET GLOBAL name = value; returns the previous value. */
export async function setGlobal(db: MariaDb, name: string, value: string | number): Promise<string> {
  if (!/^[a-z_]+$/.test(name)) throw new Error(`bad variable name ${name}`);
  const [row] = await db.sql(`SELECT @@GLOBAL.${name} AS v`);
  await db.sql(`SET GLOBAL ${name} = ${typeof value === 'number' ? value : sqlString(value)}`);
  return String(row?.v ?? '');
}

/** ALTER USER ... WITH MAX_USER_CONNECTIONS n. */
export async function setUserConnections(db: MariaDb, n: number, user = EXPORTER_USER): Promise<void> {
  await db.sql(`ALTER USER '${user}'@'127.0.0.1' WITH MAX_USER_CONNECTIONS ${n}`);
}

export async function lockAccount(db: MariaDb, locked: boolean, user = EXPORTER_USER): Promise<void> {
  await db.sql(`ALTER USER '${user}'@'127.0.0.1' ACCOUNT ${locked ? 'LOCK' : 'UNLOCK'}`);
}

/** REVOKE/GRANT privileges on *.* from/to the exporter account, e.g. revoke(db, 'PROCESS'). */
export async function revoke(db: MariaDb, privileges: string, user = EXPORTER_USER): Promise<void> {
  await db.sql(`REVOKE ${privileges} ON *.* FROM '${user}'@'127.0.0.1'`);
}

export async function grant(db: MariaDb, privileges: string, user = EXPORTER_USER): Promise<void> {
  await db.sql(`GRANT ${privileges} ON *.* TO '${user}'@'127.0.0.1'`);
}
