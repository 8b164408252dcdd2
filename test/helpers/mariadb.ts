/**
 * Throwaway MariaDB servers for integration tests: a temp datadir copied from a template that is
 * installed once per machine and server version, a free loopback port, and an init file that creates
 * an admin account. Fails loudly (with the server's error log) when a server cannot start: tests that
 * need the database never skip.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { poll } from './poll.js';
import { onProcessExit, tempDir } from './tmp.js';

export const ADMIN_USER = 'admin';
export const ADMIN_PASSWORD = 'admin-pw';

/** An admin connection over TCP to a throwaway server on 127.0.0.1 (multipleStatements off). */
export function connectAdmin(port: number, connectTimeoutMs: number): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: '127.0.0.1',
    port,
    user: ADMIN_USER,
    password: ADMIN_PASSWORD,
    connectTimeout: connectTimeoutMs,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
}

/** Runs statements one after the other on `c` and returns the last result's rows. */
export async function runStatements(
  c: mysql.Connection,
  statements: readonly string[],
): Promise<Record<string, unknown>[]> {
  let last: unknown = [];
  for (const s of statements) [last] = await c.query(s);
  return Array.isArray(last) ? (last as Record<string, unknown>[]) : [];
}

export function findBinary(names: string[]): string {
  const dirs = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin'];
  for (const n of names) for (const d of dirs) if (existsSync(join(d, n))) return join(d, n);
  throw new Error(
    `MariaDB server binaries not found (${names.join(', ')}). Install them with: apt-get install -y mariadb-server (bash scripts/test.sh does this).`,
  );
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const COMMON_ARGS = ['--innodb-log-file-size=8M', '--innodb-buffer-pool-size=32M'];

/**
 * A private --tmpdir under `dir`. At start-up (bootstrap included) mariadbd deletes every `#sql*`
 * file in its tmpdir as a leftover of a previous run; with the default /tmp shared by all test
 * servers, a server starting in one test file deleted the live on-disk temporary tables of a server
 * in another (EE_DELETE "Error on delete of '/tmp/#sql-temptable-...MAI'" in information_schema
 * queries such as auto_increment.columns).
 */
function privateTmpdir(dir: string): string {
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp, { recursive: true });
  return `--tmpdir=${tmp}`;
}

/**
 * Where the installed template datadirs live: a per-machine cache outside /tmp (a test run leaves
 * nothing in /tmp), `$XDG_CACHE_HOME/mysql-exporter` or `~/.cache/mysql-exporter`. One directory per
 * server version, made once by mariadb-install-db (about 3 s) and copied for every test server.
 * Deleting it is always safe.
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'mysql-exporter');
}

/** The installed system-table datadir shared by every test server (created once per machine and version). */
export function template(): string {
  const mariadbd = findBinary(['mariadbd', 'mysqld']);
  const version = execFileSync(mariadbd, ['--version'], { encoding: 'utf8' }).replace(/[^A-Za-z0-9.]+/g, '_');
  const cache = cacheDir();
  const dir = join(cache, `mariadb-template-${version.slice(0, 80)}`);
  if (existsSync(join(dir, 'data', 'mysql'))) return dir;
  mkdirSync(cache, { recursive: true });
  // Staged next to its final place (same file system, so the rename is atomic), removed on failure.
  const staging = mkdtempSync(join(cache, '.mariadb-template-'));
  const cancel = onProcessExit(() => rmSync(staging, { recursive: true, force: true }));
  const installer = findBinary(['mariadb-install-db', 'mysql_install_db']);
  try {
    execFileSync(
      installer,
      [
        '--no-defaults',
        `--datadir=${join(staging, 'data')}`,
        '--user=root',
        '--skip-test-db',
        '--auth-root-authentication-method=socket',
        privateTmpdir(staging),
        ...COMMON_ARGS,
      ],
      { stdio: 'pipe' },
    );
  } catch (err) {
    const e = err as { stderr?: Buffer; stdout?: Buffer };
    rmSync(staging, { recursive: true, force: true });
    cancel();
    throw new Error(`mariadb-install-db failed: ${e.stderr?.toString() ?? ''}${e.stdout?.toString() ?? ''}`);
  }
  try {
    renameSync(staging, dir);
  } catch {
    // Another test process won the race; use its template.
    rmSync(staging, { recursive: true, force: true });
  }
  cancel();
  return dir;
}

export interface MariaDbOptions {
  /** Extra mariadbd arguments, e.g. ['--userstat=ON']. */
  readonly args?: readonly string[];
  /** SQL run by the server at start-up (as root), after the admin account exists. */
  readonly initSql?: readonly string[];
}

export class MariaDb {
  private child: ChildProcess | undefined;
  constructor(
    readonly dir: string,
    readonly port: number,
    private readonly args: readonly string[],
  ) {}

  get socket(): string {
    return join(this.dir, 'mysqld.sock');
  }
  get pid(): number | undefined {
    return this.child?.pid;
  }
  get errorLog(): string {
    const p = join(this.dir, 'error.log');
    return existsSync(p) ? readFileSync(p, 'utf8') : '';
  }

  async start(): Promise<void> {
    const mariadbd = findBinary(['mariadbd', 'mysqld']);
    const child = spawn(
      mariadbd,
      [
        '--no-defaults',
        `--datadir=${join(this.dir, 'data')}`,
        `--socket=${this.socket}`,
        `--port=${this.port}`,
        '--bind-address=127.0.0.1',
        `--pid-file=${join(this.dir, 'mysqld.pid')}`,
        `--log-error=${join(this.dir, 'error.log')}`,
        `--init-file=${join(this.dir, 'init.sql')}`,
        '--user=root',
        '--skip-name-resolve',
        '--performance-schema=ON',
        '--max-connections=200',
        privateTmpdir(this.dir),
        ...COMMON_ARGS,
        ...this.args,
      ],
      { stdio: 'ignore', detached: false },
    );
    this.child = child;
    // A test file that fails before destroy() must not leave its server running.
    const cancelKill = onProcessExit(() => child.kill('SIGKILL'));
    child.once('exit', () => cancelKill());
    let exited = false;
    child.once('exit', () => {
      exited = true;
    });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (exited) throw new Error(`mariadbd exited during start-up:\n${this.errorLog.slice(-3000)}`);
      try {
        const c = await this.connect();
        await c.end();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 150));
      }
    }
    throw new Error(`mariadbd did not accept connections within 60 s:\n${this.errorLog.slice(-3000)}`);
  }

  /** An admin connection over TCP (multipleStatements off). */
  connect(): Promise<mysql.Connection> {
    return connectAdmin(this.port, 2000);
  }

  /** Runs statements as admin on a short-lived connection and returns the last result's rows. */
  async sql(...statements: string[]): Promise<Record<string, unknown>[]> {
    const c = await this.connect();
    try {
      return await runStatements(c, statements);
    } finally {
      await c.end();
    }
  }

  /** Sends a signal to mariadbd (SIGSTOP/SIGCONT/SIGKILL for fault tests). */
  signal(sig: NodeJS.Signals): void {
    this.child?.kill(sig);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Starts a fresh server; call `destroy()` in an `after` hook. */
export async function startMariaDb(opts: MariaDbOptions = {}): Promise<MariaDb> {
  const tpl = template();
  const dir = tempDir('mysql-exporter-db-');
  cpSync(join(tpl, 'data'), join(dir, 'data'), { recursive: true });
  const init = [
    `CREATE USER IF NOT EXISTS '${ADMIN_USER}'@'127.0.0.1' IDENTIFIED BY '${ADMIN_PASSWORD}'`,
    `GRANT ALL PRIVILEGES ON *.* TO '${ADMIN_USER}'@'127.0.0.1' WITH GRANT OPTION`,
    ...(opts.initSql ?? []),
  ];
  writeFileSync(join(dir, 'init.sql'), `${init.join(';\n')};\n`);
  const port = await freePort();
  const db = new MariaDb(dir, port, opts.args ?? []);
  try {
    await db.start();
  } catch (err) {
    await db.stop().catch(() => {});
    throw err;
  }
  return db;
}

/** SQL literal for a password or name (single quotes and backslashes escaped). */
export function sqlString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** Creates the least-privilege exporter account mysqld_exporter's README recommends. */
export async function createExporterUser(
  db: MariaDb,
  user: string,
  password: string,
  maxConn = 5,
): Promise<void> {
  await db.sql(
    `CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY ${sqlString(password)} WITH MAX_USER_CONNECTIONS ${maxConn}`,
    `GRANT PROCESS, REPLICATION CLIENT, SLAVE MONITOR, SELECT ON *.* TO '${user}'@'127.0.0.1'`,
  );
}

/** Credentials of the replication account that `startReplicationPair` creates on the primary. */
export const REPLICATION_USER = 'repl';
export const REPLICATION_PASSWORD = 'repl-pw';

export interface ReplicationPair {
  /** Started with `--log-bin --server-id=1`. */
  readonly primary: MariaDb;
  /** Started with `--server-id=2`, replicating from `primary` (default connection, MASTER_USE_GTID=slave_pos). */
  readonly replica: MariaDb;
  /** Waits until the replica has applied everything the primary has binlogged so far. */
  catchUp(timeoutMs?: number): Promise<void>;
  /** Stops both servers and removes their directories. */
  destroy(): Promise<void>;
}

/**
 * Starts a primary (`--log-bin --server-id=1`) and a replica (`--server-id=2`) on free loopback ports and
 * connects them with GTID replication:
 * 1. creates `repl`@`127.0.0.1` with REPLICATION SLAVE on the primary;
 * 2. sets the replica's `gtid_slave_pos` to the primary's current `gtid_binlog_pos`, so that only what the
 *    test does afterwards is replicated (the primary's start-up statements and the replication user are
 *    not replayed on the replica, which has its own admin account from the same template);
 * 3. `CHANGE MASTER TO ... MASTER_USE_GTID=slave_pos` and `START SLAVE` on the replica;
 * 4. waits until `SHOW SLAVE STATUS` reports `Slave_IO_Running=Yes` and `Slave_SQL_Running=Yes`.
 * Fails loudly (slave status and both error logs in the message) if replication does not come up. Extra
 * server arguments per side go in `opts.primary` / `opts.replica`.
 */
export async function startReplicationPair(
  opts: { readonly primary?: MariaDbOptions; readonly replica?: MariaDbOptions } = {},
): Promise<ReplicationPair> {
  const primary = await startMariaDb({
    ...opts.primary,
    args: ['--log-bin=mysql-bin', '--server-id=1', ...(opts.primary?.args ?? [])],
  });
  let replica: MariaDb | undefined;
  try {
    replica = await startMariaDb({
      ...opts.replica,
      args: ['--server-id=2', '--relay-log=relay-bin', ...(opts.replica?.args ?? [])],
    });
    await primary.sql(
      `CREATE USER '${REPLICATION_USER}'@'127.0.0.1' IDENTIFIED BY ${sqlString(REPLICATION_PASSWORD)}`,
      `GRANT REPLICATION SLAVE ON *.* TO '${REPLICATION_USER}'@'127.0.0.1'`,
    );
    const [pos] = await primary.sql('SELECT @@GLOBAL.gtid_binlog_pos AS pos');
    await replica.sql(
      `SET GLOBAL gtid_slave_pos = ${sqlString(String(pos?.pos ?? ''))}`,
      `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${primary.port}, MASTER_USER='${REPLICATION_USER}', ` +
        `MASTER_PASSWORD=${sqlString(REPLICATION_PASSWORD)}, MASTER_CONNECT_RETRY=1, MASTER_USE_GTID=slave_pos`,
      'START SLAVE',
    );
    const r = replica;
    let lastStatus: Record<string, unknown> | undefined;
    try {
      await poll('replica threads did not start', 30_000, async () => {
        [lastStatus] = await r.sql('SHOW SLAVE STATUS');
        return lastStatus?.Slave_IO_Running === 'Yes' && lastStatus?.Slave_SQL_Running === 'Yes'
          ? true
          : undefined;
      });
    } catch (err) {
      throw new Error(
        `${(err as Error).message}\nSHOW SLAVE STATUS: ${JSON.stringify(lastStatus)}\n` +
          `replica error log:\n${r.errorLog.slice(-2000)}\nprimary error log:\n${primary.errorLog.slice(-2000)}`,
      );
    }
  } catch (err) {
    await replica?.destroy().catch(() => {});
    await primary.destroy().catch(() => {});
    throw err;
  }
  const rep = replica;
  return {
    primary,
    replica: rep,
    async catchUp(timeoutMs = 30_000) {
      const [p] = await primary.sql('SELECT @@GLOBAL.gtid_binlog_pos AS pos');
      const want = String(p?.pos ?? '');
      await poll(`replica did not reach ${want}`, timeoutMs, async () => {
        const [s] = await rep.sql('SELECT @@GLOBAL.gtid_slave_pos AS pos');
        return String(s?.pos ?? '') === want ? true : undefined;
      });
    },
    async destroy() {
      await rep.sql('STOP SLAVE').catch(() => {});
      await rep.destroy();
      await primary.destroy();
    },
  };
}
