/**
 * The transports benchmark's pipelining client (bench/lib/raw-mysql.ts) on a real MariaDB: its
 * results are mysql2's, statement by statement, errors included; every statement of a pipeline is
 * written in one flight; and how the server answers the statements after a failing one: in a
 * pipeline each is a command of its own and runs, in a multi-statement COM_QUERY (what the
 * exporter's batch sends) the server stops at the failure and the rest never run.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import { DelayProxy } from '../../bench/lib/delay-proxy.js';
import { RawMysqlClient, RawProtocolError, type RawResult } from '../../bench/lib/raw-mysql.js';
import { type MariaDb, createExporterUser, startMariaDb } from '../helpers/mariadb.js';

const USER = 'exporter';
const PASSWORD = "pw-with-'quote";

/** What mysql2 answers for each statement, one at a time, every value as the text the server sent. */
async function viaMysql2(c: mysql.Connection, statements: readonly string[]): Promise<RawResult[]> {
  const out: RawResult[] = [];
  for (const sql of statements) {
    try {
      const [rows, fields] = await c.query({ sql, rowsAsArray: true });
      if (Array.isArray(rows))
        out.push({
          kind: 'rows',
          columns: (fields ?? []).map((f) => f.name),
          rows: rows as Array<Array<string | null>>,
        });
      else out.push({ kind: 'ok', affectedRows: (rows as mysql.ResultSetHeader).affectedRows });
    } catch (err) {
      const e = err as { errno: number; sqlState: string; sqlMessage: string };
      out.push({ kind: 'error', errno: e.errno, sqlState: e.sqlState, message: e.sqlMessage });
    }
  }
  return out;
}

describe('raw pipelining client (bench) on a real MariaDB', () => {
  let db: MariaDb;
  let proxy: DelayProxy;
  let m2: mysql.Connection;
  const raws: RawMysqlClient[] = [];

  async function raw(port = db.port): Promise<RawMysqlClient> {
    const c = await RawMysqlClient.connect({ host: '127.0.0.1', port, user: USER, password: PASSWORD });
    raws.push(c);
    return c;
  }

  before(async () => {
    db = await startMariaDb();
    await createExporterUser(db, USER, PASSWORD, 20);
    await db.sql(
      'CREATE DATABASE t',
      'CREATE TABLE t.kv (k INT PRIMARY KEY, v VARCHAR(20) NULL, d DECIMAL(30,10) NULL)',
      "INSERT INTO t.kv VALUES (1, 'one', 1.5), (2, NULL, -12345678901234567890.0123456789), (3, 'drei ü€', NULL)",
    );
    proxy = await DelayProxy.start({ upstream: { host: '127.0.0.1', port: db.port }, oneWayMs: 0 });
    m2 = await mysql.createConnection({
      host: '127.0.0.1',
      port: db.port,
      user: USER,
      password: PASSWORD,
      // Every value as the server's text, as the raw client returns it.
      typeCast: (field) => field.string(),
    });
  });
  after(async () => {
    for (const c of raws) await c.close();
    await m2?.end();
    await proxy?.close();
    await db?.destroy();
  });

  const statements = [
    'SELECT k, v, d FROM t.kv ORDER BY k',
    "SHOW GLOBAL VARIABLES LIKE 'max_connections'",
    'SET @before = 7',
    'SELECT * FROM t.no_such_table',
    'SET @after = 42',
    'SELECT @before AS b, @after AS a, NULL AS n, 1.25 AS f',
    'SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS ORDER BY 1, 2, 3',
  ];

  test('a pipeline returns what mysql2 returns statement by statement, the error included', async () => {
    const c = await raw();
    await m2.query('SET @before = NULL, @after = NULL');
    const expected = await viaMysql2(m2, statements);
    const got = await c.pipeline(statements);
    assert.equal(got.length, statements.length);
    assert.deepEqual(got, expected);
    // The failing statement's error is the server's, and it did not stop the pipeline.
    assert.equal(got[3]?.kind, 'error');
    assert.equal((got[3] as { errno: number }).errno, 1146);
    assert.deepEqual((got[5] as { rows: unknown[] }).rows, [['7', '42', null, '1.25']]);
    // Many rows in many TCP chunks (the COLUMNS result is hundreds of KB).
    assert.ok((got[6] as { rows: unknown[] }).rows.length > 500);
    // The connection is still usable after the error.
    assert.deepEqual(await c.query('SELECT 1'), { kind: 'rows', columns: ['1'], rows: [['1']] });
  });

  test('after a failing statement the multi-statement batch stops; the pipeline runs the rest', async () => {
    const batch = await mysql.createConnection({
      host: '127.0.0.1',
      port: db.port,
      user: USER,
      password: PASSWORD,
      multipleStatements: true,
    });
    try {
      await assert.rejects(
        batch.query('SET @before = 7; SELECT * FROM t.no_such_table; SET @after = 42'),
        (e: { errno?: number }) => e.errno === 1146,
      );
      const [rows] = await batch.query('SELECT @before AS b, @after AS a');
      // The statement before the error ran; the one after it never did.
      assert.deepEqual(rows, [{ b: 7, a: null }]);
    } finally {
      await batch.end();
    }
    const c = await raw();
    const r = await c.pipeline(['SET @before = 7', 'SELECT * FROM t.no_such_table', 'SET @after = 42']);
    assert.deepEqual(
      r.map((x) => x.kind),
      ['ok', 'error', 'ok'],
    );
    assert.deepEqual(await c.query('SELECT @before AS b, @after AS a'), {
      kind: 'rows',
      columns: ['b', 'a'],
      rows: [['7', '42']],
    });
  });

  test('every statement of a pipeline goes out in one flight (the proxy counts them)', async () => {
    const c = await raw(proxy.ports[0]!);
    const before = proxy.total();
    const r = await c.pipeline(statements);
    const afterStats = proxy.total();
    assert.equal(r.length, statements.length);
    assert.equal(afterStats.flights - before.flights, 1);
    // The same statements one at a time: one flight each.
    for (const s of statements) await c.query(s);
    assert.equal(proxy.total().flights - afterStats.flights, statements.length);
  });

  test('a wrong password and a closed port are clear errors', async () => {
    await assert.rejects(
      RawMysqlClient.connect({ host: '127.0.0.1', port: db.port, user: USER, password: 'wrong' }),
      (e: Error) => e instanceof RawProtocolError && /authentication failed: Access denied/.test(e.message),
    );
    const dead = await DelayProxy.start({ upstream: { host: '127.0.0.1', port: db.port }, oneWayMs: 0 });
    dead.setDead(dead.ports[0]!, true);
    try {
      await assert.rejects(
        RawMysqlClient.connect({ host: '127.0.0.1', port: dead.ports[0]!, user: USER, password: PASSWORD }),
        RawProtocolError,
      );
    } finally {
      await dead.close();
    }
  });
});
