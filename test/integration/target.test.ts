/**
 * The Target (one pool per server and credentials) against a real MariaDB: session settings on every
 * pooled connection, cancellation that kills the statement on the server, replacement of connections
 * the server dropped, and the pool bound.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Target } from '../../src/db/target.js';
import { DeadlineError, QueryError } from '../../src/errors.js';
import { exporterTarget } from '../helpers/exporter-target.js';
import { type MariaDb, createExporterUser, startMariaDb } from '../helpers/mariadb.js';

describe('Target on a real MariaDB', () => {
  let db: MariaDb;
  let target: Target;
  const never = () => new AbortController().signal;

  before(async () => {
    db = await startMariaDb();
    await createExporterUser(db, 'exporter', 'pw');
    target = exporterTarget(db);
  });
  after(async () => {
    await target?.close();
    await db?.destroy();
  });

  async function sessions(command?: string): Promise<number> {
    const rows = await db.sql(
      `SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = 'exporter'${command ? ` AND COMMAND = '${command}'` : ''}`,
    );
    return Number(rows[0]?.n);
  }

  test('every pooled session is read-only with lock_wait_timeout and max_statement_time', async () => {
    const r = await target
      .db(never())
      .query(
        'SELECT @@session.lock_wait_timeout AS lwt, @@session.max_statement_time AS mst, @@session.tx_read_only AS ro',
      );
    assert.deepEqual(
      { lwt: Number(r.rows[0]?.lwt), mst: Number(r.rows[0]?.mst), ro: Number(r.rows[0]?.ro) },
      { lwt: 2, mst: 30, ro: 1 },
    );
    await assert.rejects(target.db(never()).query('CREATE DATABASE nope'), /read only|READ ONLY|denied/i);
  });

  test('--exporter.log_slow_filter sets log_slow_filter on each session', async () => {
    const filtered = exporterTarget(db, { poolSize: 1, logSlowFilter: true });
    try {
      const r = await filtered.db(never()).query('SELECT @@session.log_slow_filter AS f');
      assert.deepEqual(String(r.rows[0]?.f).split(',').sort(), ['filesort_on_disk', 'tmp_table_on_disk']);
    } finally {
      await filtered.close();
    }
  });

  test('serverInfo reports flavor and version', async () => {
    const info = await target.serverInfo(never());
    assert.equal(info.flavor, 'mariadb');
    assert.equal(info.version.major, 10);
  });

  test('an aborted statement is killed on the server and its connection destroyed', async () => {
    const ac = new AbortController();
    const t0 = Date.now();
    const pending = target.db(ac.signal).query('SELECT SLEEP(20)');
    setTimeout(() => ac.abort(), 300);
    await assert.rejects(pending, DeadlineError);
    assert.ok(Date.now() - t0 < 2000);
    let running = 1;
    for (let i = 0; i < 40 && running > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const rows = await db.sql(
        "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = 'exporter' AND INFO LIKE 'SELECT SLEEP%'",
      );
      running = Number(rows[0]?.n);
    }
    assert.equal(running, 0, 'the statement is gone from the server within 2 s');
    const stats = target.stats();
    assert.ok(stats.all <= 2);
    // The pool still works afterwards.
    const r = await target.db(never()).query('SELECT 1 AS one');
    assert.equal(Number(r.rows[0]?.one), 1);
  });

  describe('row and byte caps (one streaming path for every pooled statement)', () => {
    let capped: Target;
    const BYTES = 256 * 1024;
    // About 110 bytes a row on the wire: 100,000 rows are far over the byte cap, 1,000 far under.
    // MariaDB's sequence engine: a table of 1..n in any schema.
    const rowsSql = (n: number) => `SELECT seq AS n, REPEAT('x', 100) AS pad FROM mysql.seq_1_to_${n}`;
    before(() => {
      capped = exporterTarget(db, { maxResultBytes: BYTES });
    });
    after(async () => {
      await capped?.close();
    });
    async function nothingRunning(): Promise<void> {
      let running = 1;
      for (let i = 0; i < 40 && running > 0; i++) {
        const rows = await db.sql(
          "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = 'exporter' AND INFO LIKE 'SELECT seq AS n%'",
        );
        running = Number(rows[0]?.n);
        if (running > 0) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(running, 0, 'the statement is gone from the server within 2 s');
    }

    test('under the byte cap: the first maxRows rows kept in order, the rest counted exactly', async () => {
      const r = await capped.db(never()).query(rowsSql(1000), [], { maxRows: 10 });
      assert.deepEqual(r.columns, ['n', 'pad']);
      assert.deepEqual(
        r.rows.map((row) => Number(row.n)),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      );
      assert.equal(r.dropped, 990);
      assert.equal(r.cutOff, undefined);
      const all = await capped.db(never()).query(rowsSql(1000));
      assert.equal(all.rows.length, 1000);
      assert.equal(all.dropped, undefined);
    });

    test('over the byte cap past maxRows: the kept rows, cut off, the statement killed', async () => {
      const r = await capped.db(never()).query(rowsSql(100_000), [], { maxRows: 100 });
      assert.equal(r.rows.length, 100);
      assert.equal(Number(r.rows[99]?.n), 100);
      assert.equal(r.cutOff, true);
      assert.ok((r.dropped ?? 0) > 0 && (r.dropped ?? 0) < 100_000 - 100, `dropped ${r.dropped}`);
      await nothingRunning();
      assert.equal(Number((await capped.db(never()).query('SELECT 1 AS one')).rows[0]?.one), 1);
    });

    test('over the byte cap within maxRows, or without a row cap: RESULT_TOO_LARGE, the statement killed', async () => {
      for (const opts of [{ maxRows: 1_000_000 }, {}]) {
        await assert.rejects(
          capped.db(never()).query(rowsSql(100_000), [], opts),
          (err: unknown) =>
            err instanceof QueryError &&
            err.serverCode === 'RESULT_TOO_LARGE' &&
            err.message.includes(`more than ${BYTES} bytes`),
        );
        await nothingRunning();
      }
      assert.equal(Number((await capped.db(never()).query('SELECT 1 AS one')).rows[0]?.one), 1);
    });
  });

  test('a pooled connection killed by the server is replaced without a failed query', async () => {
    await target.db(never()).query('SELECT 1');
    const ids = await db.sql("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = 'exporter'");
    assert.ok(ids.length > 0);
    for (const row of ids) await db.sql(`KILL CONNECTION ${Number(row.ID)}`);
    for (let i = 0; i < 5; i++) {
      const r = await target.db(never()).query('SELECT 2 AS two');
      assert.equal(Number(r.rows[0]?.two), 2);
    }
  });

  test('the pool never opens more sessions than its size', async () => {
    await Promise.all(Array.from({ length: 10 }, () => target.db(never()).query('SELECT SLEEP(0.1)')));
    assert.ok((await sessions()) <= 2);
    assert.ok(target.stats().all <= 2);
  });

  test('close() ends every session with COM_QUIT: no aborted client on the server', async () => {
    const local = exporterTarget(db);
    await Promise.all([local.db(never()).query('SELECT 1'), local.db(never()).query('SELECT 1')]);
    const before = Number((await db.sql("SHOW GLOBAL STATUS LIKE 'Aborted_clients'"))[0]?.Value);
    await local.close();
    await new Promise((r) => setTimeout(r, 200));
    const afterCount = Number((await db.sql("SHOW GLOBAL STATUS LIKE 'Aborted_clients'"))[0]?.Value);
    assert.equal(afterCount - before, 0);
  });
});
