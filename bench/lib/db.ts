/**
 * The benchmark's database: one throwaway MariaDB 10.11 (performance_schema, userstat,
 * query_response_time, binary log), bound to 127.0.0.1 and to the extra loopback addresses that the
 * /probe scenario uses as distinct targets; fixture schemas; one account per participant; the
 * server's own counters; a background write load on its own connection.
 */
import { rmSync } from 'node:fs';
import type mysql from 'mysql2/promise';
import { type MariaDb, sqlString, startMariaDb } from '../../test/helpers/mariadb.js';
import { tempDir } from '../../test/helpers/tmp.js';
import { log } from './log.js';

export const USERS = {
  ours: { user: 'bench_ours', password: 'ours-pw' },
  theirs: { user: 'bench_theirs', password: 'theirs-pw' },
  floor: { user: 'bench_floor', password: 'floor-pw' },
} as const;
export type Participant = keyof typeof USERS;

/** 127.0.0.2 .. 127.0.0.(n+1): distinct targets that all reach the one server. */
export function probeAddresses(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `127.0.0.${i + 2}`);
}

export interface BenchDbOptions {
  readonly tables: number;
  readonly probeTargets: number;
  /** Extra mariadbd arguments (TLS material, a larger max_connections). */
  readonly args?: readonly string[];
}

/** Temporary directories this process created, removed by removeTempDirs(). */
export const tempDirs: string[] = [];

export function removeTempDirs(): void {
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export async function startBenchDb(opts: BenchDbOptions): Promise<MariaDb> {
  // A private tmpdir for the server's internal temporary tables: nothing else on the machine can
  // touch its files there.
  const serverTmp = tempDir('mysql-exporter-bench-tmp-');
  tempDirs.push(serverTmp);
  const binds = ['127.0.0.1', ...probeAddresses(opts.probeTargets)].join(',');
  const instances = Math.max(1000, opts.tables * 2 + 500);
  return startMariaDb({
    args: [
      `--tmpdir=${serverTmp}`,
      `--bind-address=${binds}`,
      '--max-connections=1000',
      '--userstat=ON',
      '--plugin-load-add=query_response_time',
      '--query-response-time-stats=ON',
      '--log-bin=bench-bin',
      '--server-id=1',
      '--binlog-format=ROW',
      '--sync-binlog=0',
      '--innodb-flush-log-at-trx-commit=0',
      '--innodb-doublewrite=0',
      `--table-open-cache=${instances}`,
      `--table-definition-cache=${instances}`,
      `--open-files-limit=${instances * 2 + 2000}`,
      `--performance-schema-max-table-instances=${instances}`,
      `--performance-schema-max-table-handles=${instances}`,
      `--performance-schema-max-file-instances=${instances * 2}`,
      `--performance-schema-max-index-stat=${instances * 2}`,
      `--performance-schema-max-table-lock-stat=${instances}`,
      ...(opts.args ?? []),
    ],
  });
}

/** Accounts for the three participants (no per-user connection limit: the reference opens many). */
export async function createUsers(db: MariaDb): Promise<void> {
  const stmts: string[] = [];
  for (const { user, password } of Object.values(USERS)) {
    stmts.push(
      `CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY ${sqlString(password)}`,
      `GRANT PROCESS, REPLICATION CLIENT, SLAVE MONITOR, SELECT ON *.* TO '${user}'@'127.0.0.1'`,
    );
  }
  await db.sql(...stmts);
}

export function schemaNames(tables: number): string[] {
  const perSchema = 100;
  return Array.from(
    { length: Math.max(1, Math.ceil(tables / perSchema)) },
    (_, i) => `bench_s${String(i).padStart(2, '0')}`,
  );
}

/**
 * `tables` InnoDB tables over schemas of 100, each with an AUTO_INCREMENT key, a secondary index and
 * one row (so that performance_schema has table and index I/O for every one), created on four
 * connections at once.
 */
export async function createFixtures(db: MariaDb, tables: number): Promise<void> {
  const schemas = schemaNames(tables);
  await db.sql(...schemas.map((s) => `CREATE DATABASE ${s}`));
  const jobs: string[][] = [];
  for (let i = 0; i < tables; i++) {
    const s = schemas[Math.floor(i / 100)]!;
    const t = `${s}.t${String(i % 100).padStart(3, '0')}`;
    jobs.push([
      `CREATE TABLE ${t} (id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, k INT NOT NULL, v VARCHAR(64) NOT NULL, KEY k (k)) ENGINE=InnoDB`,
      `INSERT INTO ${t} (k, v) VALUES (${i}, 'fixture row ${i}')`,
      `SELECT COUNT(*) FROM ${t} WHERE k = ${i}`,
    ]);
  }
  let next = 0;
  let done = 0;
  const started = Date.now();
  const worker = async () => {
    const c = await db.connect();
    try {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        for (const s of job) await c.query(s);
        done++;
        if (done % 500 === 0) log(`  fixtures: ${done}/${tables} tables (${Date.now() - started} ms)`);
      }
    } finally {
      await c.end();
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  // The background load's own tables.
  await db.sql(
    'CREATE DATABASE bench_load',
    'CREATE TABLE bench_load.events (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, k INT NOT NULL, payload VARCHAR(255) NOT NULL, KEY k (k)) ENGINE=InnoDB',
    'CREATE TABLE bench_load.counters (id INT NOT NULL PRIMARY KEY, n BIGINT NOT NULL) ENGINE=InnoDB',
    'INSERT INTO bench_load.counters VALUES (1,0),(2,0),(3,0),(4,0)',
  );
}

export interface ServerCounters {
  readonly connections: number;
  readonly questions: number;
}

/**
 * One long-lived admin connection for everything the benchmark asks the server while exporters run
 * (counters, session counts), counting its own statements so that they can be subtracted from
 * `Questions`.
 */
export class Monitor {
  private statements = 0;
  private constructor(private readonly conn: mysql.Connection) {}

  static async open(db: MariaDb): Promise<Monitor> {
    return new Monitor(await db.connect());
  }

  /** Statements this monitor has sent so far. */
  get sent(): number {
    return this.statements;
  }

  async query(sql: string): Promise<Record<string, unknown>[]> {
    this.statements++;
    const [rows] = await this.conn.query(sql);
    return rows as Record<string, unknown>[];
  }

  async counters(): Promise<ServerCounters> {
    const rows = await this.query("SHOW GLOBAL STATUS WHERE Variable_name IN ('Connections', 'Questions')");
    const get = (n: string) => Number(rows.find((r) => r.Variable_name === n)?.Value ?? Number.NaN);
    return { connections: get('Connections'), questions: get('Questions') };
  }

  /**
   * Sessions open right now per participant account. `SHOW PROCESSLIST`, counted here: a GROUP BY
   * over information_schema.PROCESSLIST crashed MariaDB 10.11.19 (signal 11 in free_tmp_table) while
   * 200 connections came and went.
   */
  async sessions(): Promise<Record<string, number>> {
    const rows = await this.query('SHOW PROCESSLIST');
    const out: Record<string, number> = {};
    for (const r of rows) {
      const u = String(r.User);
      if (u.startsWith('bench_')) out[u] = (out[u] ?? 0) + 1;
    }
    return out;
  }

  /** Polls the session count of one account every `everyMs` until stopped; resolves to the peak. */
  watchSessions(user: string, everyMs = 100): { stop(): Promise<number> } {
    let peak = 0;
    let running = true;
    const loop = (async () => {
      while (running) {
        try {
          const s = await this.sessions();
          peak = Math.max(peak, s[user] ?? 0);
        } catch (err) {
          log(`session watch: ${(err as Error).message}`);
          return;
        }
        await new Promise((r) => setTimeout(r, everyMs));
      }
    })();
    return {
      async stop() {
        running = false;
        await loop;
        return peak;
      },
    };
  }

  async close(): Promise<void> {
    await this.conn.end();
  }
}

/**
 * A light write load: `rate` statements per second (inserts and updates, autocommit) on one
 * connection of its own, counted so that they can be subtracted from `Questions`.
 */
export class WriteLoad {
  private statements = 0;
  private running = true;
  private loop: Promise<void> | undefined;
  private constructor(private readonly conn: mysql.Connection) {}

  static async start(db: MariaDb, rate: number): Promise<WriteLoad> {
    const load = new WriteLoad(await db.connect());
    if (rate > 0) load.loop = load.run(rate);
    return load;
  }

  get sent(): number {
    return this.statements;
  }

  private async run(rate: number): Promise<void> {
    const interval = 1000 / rate;
    let due = performance.now();
    let i = 0;
    while (this.running) {
      i++;
      const sql =
        i % 4 === 0
          ? `UPDATE bench_load.counters SET n = n + 1 WHERE id = ${1 + (i % 4)}`
          : `INSERT INTO bench_load.events (k, payload) VALUES (${i % 1000}, ${sqlString(`event ${i}`)})`;
      this.statements++;
      try {
        await this.conn.query(sql);
      } catch (err) {
        log(`write load: ${(err as Error).message}`);
      }
      due += interval;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      else due = performance.now();
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.conn.end();
  }
}

/** Enables the general log into a table, runs `fn`, and returns the statements `user` sent meanwhile. */
export async function captureStatements(
  monitor: Monitor,
  user: string,
  fn: () => Promise<void>,
): Promise<string[]> {
  await monitor.query("SET GLOBAL log_output = 'TABLE'");
  await monitor.query('TRUNCATE TABLE mysql.general_log');
  await monitor.query('SET GLOBAL general_log = ON');
  try {
    await fn();
  } finally {
    await monitor.query('SET GLOBAL general_log = OFF');
  }
  const rows = await monitor.query(
    `SELECT CONVERT(argument USING utf8mb4) AS a FROM mysql.general_log WHERE command_type = 'Query' AND user_host LIKE ${sqlString(`${user}[%`)} ORDER BY event_time`,
  );
  return rows.map((r) => String(r.a));
}
