/**
 * Fault matrix T07, T10-T14: wrong password, grants revoked, account locked, per-user and server-wide
 * connection limits, unreachable hosts. One server for the file; every row restores what it changed.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import type { MariaDb } from '../helpers/mariadb.js';
import { poll } from '../helpers/poll.js';
import { CANARY } from '../helpers/fault/canary.js';
import {
  EXPORTER_USER,
  grant,
  lockAccount,
  revoke,
  setGlobal,
  setUserConnections,
  startFaultDb,
} from '../helpers/fault/db.js';
import { type FaultExporter, startExporter, writeCnf } from '../helpers/fault/exporter.js';
import {
  assertAlive,
  assertNoCanary,
  assertScrape,
  assertSettled,
  collectorSuccess,
  up,
} from '../helpers/fault/invariants.js';
import { type Listener, silentListener } from '../helpers/fault/net.js';
import {
  counterDelta,
  serverCounters,
  sessions,
  waitFor,
  watchSessions,
} from '../helpers/fault/server-state.js';

const POOL = 2;
const H = { 'X-Prometheus-Scrape-Timeout-Seconds': '3' };
const DEADLINE_MS = 2750;

const errs = (e: FaultExporter) =>
  e.logs
    .filter((l) => /level=(error|warn)/.test(l))
    .slice(-4)
    .join('\n');

/**
 * KILLs every exporter session and waits until those threads have left the PROCESSLIST. KILL only
 * flags the thread: it ends (and releases its MAX_USER_CONNECTIONS slot) a little later, which on a
 * loaded machine is after the next connect of a test that counts on the slot being free (T12).
 */
async function killExporterSessions(db: MariaDb): Promise<void> {
  const ids = (
    await db.sql(`SELECT ID FROM information_schema.PROCESSLIST WHERE USER = '${EXPORTER_USER}'`)
  ).map((row) => Number(row.ID));
  for (const id of ids) await db.sql(`KILL ${id}`).catch(() => {});
  if (ids.length === 0) return;
  await waitFor('killed exporter sessions gone from the PROCESSLIST', 10_000, async () => {
    const left = await db.sql(`SELECT ID FROM information_schema.PROCESSLIST WHERE ID IN (${ids.join(',')})`);
    return left.length === 0;
  });
}

describe('fault T07, T10-T14: accounts, grants and connection limits', () => {
  let db: MariaDb;
  let silent: Listener;
  const exps: FaultExporter[] = [];
  const start = async (cnf: string, args: string[] = []) => {
    const e = await startExporter(cnf, { args });
    exps.push(e);
    return e;
  };

  before(async () => {
    db = await startFaultDb({ maxUserConnections: 5 });
    silent = await silentListener();
  });
  after(async () => {
    for (const e of exps) await e.stop();
    await silent?.close();
    assertNoCanary(exps, [db]);
    await db?.destroy();
  });

  test('T07: wrong password -> 200 + mysql_up 0 fast, ER_ACCESS_DENIED_ERROR, one attempt per scrape', async () => {
    const exp = await start(writeCnf(db, `${CANARY}-wrong`));
    const before = await serverCounters(db);
    for (let i = 0; i < 3; i++) {
      const r = await exp.get('/metrics', { headers: H });
      assertScrape(r, 1000, `T07 scrape ${i + 1}`);
      assert.equal(up(r.body), 0);
    }
    const d = counterDelta(before, await serverCounters(db));
    assert.ok(d.Aborted_connects <= 3, `T07: Aborted_connects delta ${d.Aborted_connects} for 3 scrapes`);
    const denied = exp.logs.filter((l) => l.includes('ER_ACCESS_DENIED_ERROR'));
    assert.ok(denied.length >= 1 && denied.length <= 3, `T07: ${denied.length} denial lines`);
    await assertAlive(exp);
  });

  test('T10: grants revoked -> the affected collectors fail alone (after the pool reconnects)', async () => {
    const collectors = [
      'global_status',
      'info_schema.innodb_metrics',
      'engine_innodb_status',
      'info_schema.processlist',
      'perf_schema.eventswaits',
    ];
    const exp = await start(writeCnf(db), [
      '--collect.info_schema.innodb_metrics',
      '--collect.engine_innodb_status',
      '--collect.info_schema.processlist',
      '--collect.perf_schema.eventswaits',
    ]);
    const q = collectors.map((c) => `collect[]=${c}`).join('&');
    const ok = await exp.get(`/metrics?${q}`, { headers: H });
    assertScrape(ok, DEADLINE_MS, 'T10 before');
    for (const c of collectors) assert.equal(collectorSuccess(ok.body, c), 1, `T10 before: ${c}`);
    await revoke(db, 'PROCESS, SELECT');
    await db.sql(`GRANT SELECT ON t1.* TO '${EXPORTER_USER}'@'127.0.0.1'`);
    try {
      // Global privileges of a connected session do not change: pooled sessions keep PROCESS until
      // they reconnect (documented in docs/reliability.md).
      await killExporterSessions(db);
      const r = await exp.get(`/metrics?${q}`, { headers: H });
      assertScrape(r, DEADLINE_MS, 'T10 after REVOKE');
      assert.equal(up(r.body), 1);
      assert.equal(collectorSuccess(r.body, 'global_status'), 1);
      assert.equal(collectorSuccess(r.body, 'info_schema.innodb_metrics'), 0);
      assert.equal(collectorSuccess(r.body, 'engine_innodb_status'), 0);
      assert.equal(collectorSuccess(r.body, 'perf_schema.eventswaits'), 0);
      assert.ok(
        exp.logs.some((l) => /ER_SPECIFIC_ACCESS_DENIED_ERROR|ER_TABLEACCESS_DENIED_ERROR/.test(l)),
        'T10: the server error code is logged',
      );
      // Without PROCESS the processlist only shows the account's own threads and the collector still
      // succeeds; the exporter flags a missing PROCESS once per target pool at its first scrape
      // (http-e2e.test.ts), not when grants change under a running pool.
      assert.equal(collectorSuccess(r.body, 'info_schema.processlist'), 1);
    } finally {
      await db.sql(`REVOKE SELECT ON t1.* FROM '${EXPORTER_USER}'@'127.0.0.1'`).catch(() => {});
      await grant(db, 'PROCESS, SELECT');
      await killExporterSessions(db);
    }
    const back = await exp.get(`/metrics?${q}`, { headers: H });
    for (const c of collectors) assert.equal(collectorSuccess(back.body, c), 1, `T10 restored: ${c}`);
    await assertSettled(db, POOL * exps.length);
  });

  test('T11: account locked -> pooled sessions keep working, new ones give mysql_up 0, no hot retry', async () => {
    const exp = await start(writeCnf(db));
    assert.equal(up((await exp.get('/metrics', { headers: H })).body), 1);
    await lockAccount(db, true);
    try {
      const pooled = await exp.get('/metrics', { headers: H });
      assert.equal(up(pooled.body), 1, 'T11: existing pooled sessions still work');
      await killExporterSessions(db);
      const before = await serverCounters(db);
      for (let i = 0; i < 3; i++) {
        const r = await exp.get('/metrics', { headers: H });
        assertScrape(r, 1000, `T11 locked scrape ${i + 1}`);
        assert.equal(up(r.body), 0);
      }
      const d = counterDelta(before, await serverCounters(db));
      assert.ok(d.Aborted_connects <= 3, `T11: Aborted_connects delta ${d.Aborted_connects}`);
      assert.ok(
        exp.logs.some((l) => /errno 4151.*account is locked/.test(l)),
        `T11: clear code:\n${errs(exp)}`,
      );
    } finally {
      await lockAccount(db, false);
    }
    // Unlocked: served again once the target's connect backoff (1 s after the second failure in a
    // row, doubling) has passed; the scrapes in between answer mysql_up 0 without connecting.
    await poll(
      'T11: up again after unlocking',
      15_000,
      async () => (up((await exp.get('/metrics', { headers: H })).body) === 1 ? true : undefined),
      250,
    );
  });

  test('T12: max_user_connections exhausted -> 1226 surfaced, never more sessions than the pool', async () => {
    const exp = await start(writeCnf(db));
    await killExporterSessions(db);
    await setUserConnections(db, 1);
    const holder = await mysql.createConnection({
      host: '127.0.0.1',
      port: db.port,
      user: EXPORTER_USER,
      password: CANARY,
    });
    try {
      const { result: r, peakTotal } = await watchSessions(db, () => exp.get('/metrics', { headers: H }));
      assertScrape(r, DEADLINE_MS, 'T12');
      assert.equal(up(r.body), 0);
      assert.ok(
        exp.logs.some((l) => /ER_USER_LIMIT_REACHED.*max_user_connections/.test(l)),
        `T12: 1226 surfaced:\n${errs(exp)}`,
      );
      assert.ok(peakTotal <= 1, `T12: sessions peak ${peakTotal}`);
    } finally {
      await holder.end();
      await setUserConnections(db, 5);
    }
    const { result: ok, peakTotal } = await watchSessions(db, () => exp.get('/metrics', { headers: H }));
    assert.equal(up(ok.body), 1, 'T12: recovered');
    assert.ok(peakTotal <= POOL + 1, `T12: sessions peak ${peakTotal}`);
  });

  test('T13: server max_connections reached -> mysql_up 0 (ER_CON_COUNT_ERROR), recovery on the next scrape', async () => {
    const exp = await start(writeCnf(db));
    await killExporterSessions(db);
    for (const e of exps) if (e !== exp) await e.stop();
    // MariaDB's floor for max_connections is 10; SUPER accounts get one connection beyond it.
    const previous = await setGlobal(db, 'max_connections', 10);
    const held: mysql.Connection[] = [];
    try {
      const others = (await serverCounters(db)).Threads_connected - 1;
      for (let i = others; i < 10; i++) held.push(await db.connect());
      const r = await exp.get('/metrics', { headers: H });
      assertScrape(r, DEADLINE_MS, 'T13');
      assert.equal(up(r.body), 0, `T13: ${JSON.stringify(await serverCounters(db))}\n${errs(exp)}`);
      assert.ok(
        exp.logs.some((l) => l.includes('ER_CON_COUNT_ERROR')),
        `T13: Too many connections:\n${errs(exp)}`,
      );
    } finally {
      for (const c of held) await c.end().catch(() => {});
      await setGlobal(db, 'max_connections', Number(previous));
    }
    const ok = await exp.get('/metrics', { headers: H });
    assert.equal(up(ok.body), 1, 'T13: the next scrape recovers');
  });

  test('T14: unreachable host (silent listener, closed port) -> mysql_up 0 by the deadline, nothing left open', async () => {
    const fds = () => readdirSync('/proc/self/fd').length;
    const exp = await start(writeCnf(silent.port));
    await exp.get('/metrics', { headers: H });
    const fds0 = fds();
    for (let i = 0; i < 3; i++) {
      const r = await exp.get('/metrics', { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '2' } });
      assertScrape(r, 1750, `T14 silent ${i + 1}`);
      assert.equal(up(r.body), 0);
    }
    // An abandoned connect attempt ends at its connect timeout (capped below the deadline).
    await waitFor('T14: every socket to the silent peer closed', 4000, () => silent.open() === 0);
    assert.ok(fds() <= fds0 + 2, `T14: descriptors ${fds0} -> ${fds()}`);
    assert.ok(silent.accepts() >= 3);
    assert.equal((await sessions(db)).running, 0);
  });
});
