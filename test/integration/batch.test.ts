/**
 * One round trip per scrape, on a real MariaDB: the server's flavor and version come from the
 * handshake (no statement), the statements queued together go out as one multi-statement batch
 * with a result each, a failing statement costs only its own result, a caller that gives up does
 * not cost the session, and only the exporter's own collectors may use the batch session (custom
 * query files never run where several statements are accepted in one call).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type mysql from 'mysql2/promise';
import { loadConfig } from '../../src/assemble.js';
import { isBatchable } from '../../src/model/batchable.js';
import type { Target } from '../../src/db/target.js';
import { DeadlineError } from '../../src/errors.js';
import { exporterTarget } from '../helpers/exporter-target.js';
import { poll } from '../helpers/poll.js';
import { type MariaDb, createExporterUser, startMariaDb } from '../helpers/mariadb.js';

describe('statement batches on a real MariaDB', () => {
  let db: MariaDb;
  let admin: mysql.Connection;
  let target: Target;
  const never = () => new AbortController().signal;

  before(async () => {
    db = await startMariaDb();
    await createExporterUser(db, 'exporter', 'pw', 10);
    admin = await db.connect();
    target = exporterTarget(db, { connectTimeoutMs: 5000, abandonGraceMs: 20_000 });
  });
  after(async () => {
    await target?.close();
    await admin?.end();
    await db?.destroy();
  });

  /** Statements the exporter account has sent so far (the server's per-user counter). */
  async function statementsOfExporter(): Promise<number> {
    const [rows] = await admin.query(
      "SELECT SUM(VARIABLE_VALUE) AS n FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'QUESTIONS'",
    );
    return Number((rows as Array<{ n: unknown }>)[0]?.n);
  }

  test('the server info comes from the handshake: no statement once the session is open', async () => {
    const first = await target.serverInfo(never());
    assert.equal(first.flavor, 'mariadb');
    assert.ok(first.version.major >= 10);
    // The first call opened the session; its session settings go out behind a first batch.
    await target.db(never(), true).query('SELECT 1');
    const q0 = await statementsOfExporter();
    for (let i = 0; i < 5; i++) assert.deepEqual(await target.serverInfo(never()), first);
    const q1 = await statementsOfExporter();
    // The admin's own SELECT between the two readings is the only statement counted.
    assert.equal(q1 - q0, 1);
  });

  test('statements queued together go out as one batch, each with its own result', async () => {
    const before = target.batches;
    const d = target.db(never(), true);
    const [a, b, c] = await Promise.all([
      d.query('SELECT 1 AS one'),
      d.query('SELECT ? AS two, ? AS label', [2, "it's; a ; string"]),
      d.query('SHOW GLOBAL STATUS LIKE ?', ['Uptime']),
    ]);
    assert.equal(target.batches - before, 1);
    assert.deepEqual(a.rows, [{ one: 1 }]);
    assert.deepEqual(b.rows, [{ two: 2, label: "it's; a ; string" }]);
    assert.deepEqual(b.columns, ['two', 'label']);
    assert.equal(c.rows[0]?.Variable_name, 'Uptime');
  });

  test('a failing statement rejects alone; the ones after it are sent again', async () => {
    const d = target.db(never(), true);
    const [ok1, bad, ok2] = await Promise.allSettled([
      d.query('SELECT 10 AS v'),
      d.query('SELECT * FROM no_such_schema.no_such_table'),
      d.query('SELECT 30 AS v'),
    ]);
    assert.equal(ok1.status, 'fulfilled');
    assert.deepEqual(ok1.status === 'fulfilled' && ok1.value.rows, [{ v: 10 }]);
    assert.equal(bad.status, 'rejected');
    assert.match(String(bad.status === 'rejected' && bad.reason.message), /no_such/);
    assert.equal(ok2.status, 'fulfilled');
    assert.deepEqual(ok2.status === 'fulfilled' && ok2.value.rows, [{ v: 30 }]);
  });

  test('a caller past its deadline gets DeadlineError; the session is kept when the batch ends', async () => {
    const d = target.db(never(), true);
    const id0 = (await d.query('SELECT CONNECTION_ID() AS id')).rows[0]?.id;
    const ac = new AbortController();
    const slow = target.db(ac.signal, true).query('SELECT SLEEP(0.5) AS s');
    setTimeout(() => ac.abort(), 50);
    await assert.rejects(slow, DeadlineError);
    // The next batch waits for the abandoned one and runs on the same session (no reconnect).
    const id1 = (await d.query('SELECT CONNECTION_ID() AS id')).rows[0]?.id;
    assert.equal(id1, id0);
  });

  test('ensureAsked: a SELECT 1 on the batch session when nothing batched was asked, nothing otherwise', async () => {
    await target.serverInfo(never());
    await target.db(never()).query('SELECT 1');
    const turn = () => new Promise((r) => setImmediate(r));
    const sessions = target.stats().all;
    // Only a query-file statement in this "scrape": one batch of its own goes out.
    let before = target.batches;
    let since = performance.now();
    const custom = target.db(never()).query('SELECT 2 AS v');
    target.ensureAsked(since, never());
    await custom;
    await poll(
      'the liveness statement sent',
      5000,
      async () => (target.batches > before ? true : undefined),
      10,
    );
    assert.equal(target.batches - before, 1);
    assert.equal(target.answeredSince(since), true);
    // A batched statement was queued in the same turn: no extra one.
    before = target.batches;
    since = performance.now();
    const own = target.db(never(), true).query('SELECT 3 AS v');
    target.ensureAsked(since, never());
    await own;
    await turn();
    await turn();
    assert.equal(target.batches - before, 1);
    // Neither opened a session (the batch session is the one serverInfo opened).
    assert.ok(target.stats().all <= sessions, `${target.stats().all} sessions, ${sessions} before`);
  });

  test('the unbatched pool (custom query files) refuses several statements in one call', async () => {
    await assert.rejects(target.db(never()).query('SELECT 1; SELECT 2'), /syntax/i);
  });

  test('only built-in collectors are batchable; a --queries.dir file never is', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mysql-exporter-batch-'));
    try {
      writeFileSync(
        join(dir, 'custom.yaml'),
        [
          'name: custom_one',
          'help: a custom query',
          'enabled_by_default: true',
          'sql: SELECT 1 AS v',
          'metrics:',
          '  - name: mysql_custom_one_v',
          '    help: v',
          '    type: gauge',
          '    value: v',
          '',
        ].join('\n'),
      );
      const loaded = await loadConfig(['--mysqld.username=u', `--queries.dir=${dir}`], { HOME: dir });
      if (loaded.kind !== 'config') throw new Error('expected a configuration');
      const byName = new Map(loaded.config.state.collectors.map((c) => [c.name, c]));
      assert.equal(isBatchable(byName.get('custom_one')!), false);
      assert.equal(isBatchable(byName.get('global_status')!), true);
      // The package's own query files are code of this repository.
      assert.equal(isBatchable(byName.get('info_schema.innodb_cmp')!), true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
