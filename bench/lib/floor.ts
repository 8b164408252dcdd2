/**
 * The physical floor: the statements our exporter sends per scrape (captured from the server's
 * general log), replayed on an already open mysql2 connection as one multi-statement batch, as our
 * exporter sends them (one round trip). No HTTP, no mapping, no exposition: what a scrape cannot go
 * below with this driver.
 */
import mysql from 'mysql2/promise';

export class Floor {
  private constructor(private readonly pool: mysql.Pool) {}

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
      // Our statements only (captured from our exporter), sent as one batch like ours.
      multipleStatements: true,
    });
    // Open every connection now: the floor never pays for a connect.
    const conns = await Promise.all(Array.from({ length: concurrency }, () => pool.getConnection()));
    for (const c of conns) c.release();
    return new Floor(pool);
  }

  /** One scrape's worth of statements in one batch; resolves to the rows received. */
  async round(statements: readonly string[]): Promise<number> {
    if (statements.length === 0) return 0;
    try {
      const [r] = await this.pool.query(statements.map((x) => x.replace(/[\s;]+$/, '')).join(';\n'));
      const sets = statements.length === 1 ? [r] : (r as unknown[]);
      return sets.reduce<number>((n, x) => n + (Array.isArray(x) ? x.length : 0), 0);
    } catch {
      // A statement that fails for our exporter (a missing table) fails here too.
      return 0;
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
