/**
 * The physical floor: the statements our exporter sends per scrape (captured from the server's
 * general log), replayed on already open mysql2 connections, the first (`SELECT @@version`) alone and
 * the rest `concurrency` at a time, as our orchestrator runs collectors. No HTTP, no mapping, no
 * exposition: what a scrape cannot go below with this driver.
 */
import mysql from 'mysql2/promise';

export class Floor {
  private constructor(
    private readonly pool: mysql.Pool,
    private readonly concurrency: number,
  ) {}

  static async open(port: number, user: string, password: string, concurrency: number): Promise<Floor> {
    const pool = mysql.createPool({
      host: '127.0.0.1',
      port,
      user,
      password,
      connectionLimit: concurrency,
      maxIdle: concurrency,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
    });
    // Open every connection now: the floor never pays for a connect.
    const conns = await Promise.all(Array.from({ length: concurrency }, () => pool.getConnection()));
    for (const c of conns) c.release();
    return new Floor(pool, concurrency);
  }

  /** One scrape's worth of statements; resolves to the rows received (failed statements count 0). */
  async round(statements: readonly string[]): Promise<number> {
    if (statements.length === 0) return 0;
    let rows = 0;
    const run = async (sql: string) => {
      try {
        const [r] = await this.pool.query(sql);
        rows += Array.isArray(r) ? r.length : 0;
      } catch {
        // A statement that fails for our exporter (a missing table) fails here too, at the same cost.
      }
    };
    await run(statements[0]!);
    let next = 1;
    const worker = async () => {
      while (next < statements.length) await run(statements[next++]!);
    };
    await Promise.all(Array.from({ length: this.concurrency }, worker));
    return rows;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
