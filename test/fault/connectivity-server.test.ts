/**
 * Fault matrix T01-T06: the database goes down, freezes, is killed mid-scrape, restarts, or drops idle
 * pooled connections. One server and one exporter for the whole file; each row restores the server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MariaDb } from '../helpers/mariadb.js';
import { freeze, kill9, setGlobal, sleep, startFaultDb, thaw } from '../helpers/fault/db.js';
import {
  type FaultExporter,
  queryFile,
  startExporter,
  writeCnf,
  writeQueries,
} from '../helpers/fault/exporter.js';
import {
  assertAlive,
  assertNoCanary,
  assertScrape,
  assertSettled,
  collectorSuccess,
  linesWith,
  up,
} from '../helpers/fault/invariants.js';
import { counterDelta, serverCounters, sessions, waitFor } from '../helpers/fault/server-state.js';

const POOL = 2;
const DEFAULTS = ['global_status', 'global_variables', 'slave_status', 'info_schema.innodb_cmp'];
/** Every collector enabled by default. */
const DEFAULTS_ALL = [...DEFAULTS, 'info_schema.innodb_cmpmem', 'info_schema.query_response_time'];
const FAST = DEFAULTS.map((c) => `collect[]=${c}`).join('&');

describe('fault T01-T06: server down, frozen, killed, restarted, idle connections dropped', () => {
  let db: MariaDb;
  let exp: FaultExporter;
  const extra: FaultExporter[] = [];

  before(async () => {
    db = await startFaultDb();
    const queries = writeQueries({
      'sleep3.yaml': queryFile('fault.sleep3', 'SELECT SLEEP(3) AS v', 'enabled_by_default: false'),
      'sleep5.yaml': queryFile('fault.sleep5', 'SELECT SLEEP(5) AS v', 'enabled_by_default: false'),
    });
    exp = await startExporter(writeCnf(db), {
      args: [`--queries.dir=${queries}`, '--collect.fault.sleep3', '--collect.fault.sleep5'],
    });
  });

  after(async () => {
    for (const e of extra) await e.stop();
    await exp?.stop();
    assertNoCanary([exp, ...extra], [db]);
    await db?.destroy();
  });

  const healthy = async (what: string) => {
    const r = await exp.get(`/metrics?${FAST}`, { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '5' } });
    assertScrape(r, 4750, what);
    assert.equal(up(r.body), 1, `${what}: mysql_up`);
    for (const c of DEFAULTS) assert.equal(collectorSuccess(r.body, c), 1, `${what}: ${c}`);
    assert.equal(r.body.includes('closed state'), false);
    return r;
  };

  test('T01 + T05: server stopped -> 200 + mysql_up 0 in < 1 s, one log line; restarted -> next scrape ok', async () => {
    await healthy('warm-up');
    await db.stop();
    const mark = exp.mark();
    const r = await exp.get(`/metrics?${FAST}`, { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '5' } });
    assertScrape(r, 1000, 'T01 scrape of a stopped server');
    assert.equal(up(r.body), 0);
    assert.ok(r.ms < 1000, `T01: ${Math.round(r.ms)} ms`);
    const errors = exp.since(mark).filter((l) => l.includes('level=error'));
    assert.equal(errors.length, 1, `T01: one error line per scrape:\n${errors.join('\n')}`);
    assert.match(errors[0]!, /target=127\.0\.0\.1:\d+/);
    assert.match(errors[0]!, /ECONNREFUSED|PROTOCOL_CONNECTION_LOST|ER_SERVER_SHUTDOWN/);
    await db.start();
    // T05: the first scrape after the restart succeeds (stale pooled connections replaced).
    await healthy('T05 first scrape after restart');
    await assertSettled(db, POOL);
    await assertAlive(exp);
  });

  test('T02: server frozen before the scrape -> mysql_up 0 by the deadline (warm and cold pool)', async () => {
    await healthy('warm-up');
    const cold = await startExporter(writeCnf(db));
    extra.push(cold);
    await freeze(db);
    try {
      const [warm, fresh] = await Promise.all([
        exp.get(`/metrics?${FAST}`, { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '2' } }),
        cold.get(`/metrics?${FAST}`, { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '2' } }),
      ]);
      assertScrape(warm, 1750, 'T02 warm pool');
      assertScrape(fresh, 1750, 'T02 cold pool');
      assert.equal(up(warm.body), 0, `T02 warm: ${Math.round(warm.ms)} ms\n${exp.logs.slice(-8).join('\n')}`);
      assert.equal(up(fresh.body), 0, `T02 cold: ${Math.round(fresh.ms)} ms`);
    } finally {
      thaw(db);
    }
    await healthy('T02 first scrape after SIGCONT');
    const again = await cold.get(`/metrics?${FAST}`);
    assert.equal(up(again.body), 1, 'T02: the cold exporter recovers too');
    await cold.stop();
    extra.pop();
    await assertSettled(db, POOL);
  });

  test('T02: server frozen, a scrape of query files only (no built-in collector) -> mysql_up 0 by the deadline', async () => {
    // No statement of the exporter's own in the scrape: the query file's statement, which may
    // legitimately run until the deadline (T17), must not be what decides mysql_up.
    const queries = writeQueries({ 'one.yaml': queryFile('fault.one', 'SELECT 1 AS v') });
    const only = await startExporter(writeCnf(db), {
      args: [`--queries.dir=${queries}`, ...DEFAULTS_ALL.map((c) => `--no-collect.${c}`)],
    });
    extra.push(only);
    const warm = await only.get('/metrics', { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '5' } });
    assertScrape(warm, 4750, 'T02 query files only, warm-up');
    assert.equal(up(warm.body), 1, 'T02 query files only, warm-up: mysql_up');
    assert.equal(collectorSuccess(warm.body, 'fault.one'), 1);
    assert.equal(collectorSuccess(warm.body, 'global_status'), undefined, 'no built-in collector runs');
    await freeze(db);
    try {
      const r = await only.get('/metrics', { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '2' } });
      assertScrape(r, 1750, 'T02 query files only, frozen');
      assert.equal(
        up(r.body),
        0,
        `T02 query files only: ${Math.round(r.ms)} ms\n${only.logs.slice(-8).join('\n')}`,
      );
    } finally {
      thaw(db);
    }
    const again = await only.get('/metrics', { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '5' } });
    assertScrape(again, 4750, 'T02 query files only, after SIGCONT');
    assert.equal(up(again.body), 1, 'T02 query files only, after SIGCONT: mysql_up');
    assert.equal(collectorSuccess(again.body, 'fault.one'), 1);
    await only.stop();
    extra.pop();
    await assertSettled(db, POOL);
  });

  test('T03: server frozen mid-scrape -> response by the deadline, the statement gone after SIGCONT', async () => {
    await healthy('warm-up');
    const pending = exp.get(`/metrics?${FAST}&collect[]=fault.sleep3`, {
      headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '2.5' },
    });
    await sleep(500);
    await freeze(db);
    let r: Awaited<typeof pending>;
    try {
      r = await pending;
    } finally {
      await sleep(Math.max(0, 2750 - 500));
      thaw(db);
    }
    assertScrape(r, 2250, 'T03');
    assert.equal(up(r.body), 1);
    assert.equal(collectorSuccess(r.body, 'fault.sleep3'), 0, 'T03: the in-flight collector fails');
    // After SIGCONT: sessions back to the pool baseline, no SLEEP left running.
    await assertSettled(db, POOL, 5000);
    await healthy('T03 after SIGCONT');
  });

  test('T04: server killed mid-scrape -> 200 with an answer, no crash; three good scrapes after restart', async () => {
    await healthy('warm-up');
    const pending = exp.get(`/metrics?${FAST}&collect[]=fault.sleep5`, {
      headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '8' },
    });
    await sleep(500);
    await kill9(db);
    const r = await pending;
    assertScrape(r, 7750, 'T04');
    assert.equal(collectorSuccess(r.body, 'fault.sleep5') ?? 0, 0);
    assert.ok(r.ms < 3000, `T04: the lost connection is reported at once (${Math.round(r.ms)} ms)`);
    await assertAlive(exp);
    await db.start();
    const mark = exp.mark();
    for (let i = 0; i < 3; i++) await healthy(`T04 scrape ${i + 1} after restart`);
    assert.deepEqual(linesWith(exp.since(mark), 'closed state'), []);
    await assertSettled(db, POOL);
  });

  test('T06: idle pooled connections killed by wait_timeout or KILL -> every scrape succeeds', async () => {
    const previous = await setGlobal(db, 'wait_timeout', 1);
    try {
      // Replace the pool's sessions so that they carry the new wait_timeout.
      for (const row of await db.sql("SELECT ID FROM information_schema.PROCESSLIST WHERE USER='exporter'"))
        await db.sql(`KILL ${Number(row.ID)}`);
      const before = await serverCounters(db);
      let scrapes = 0;
      for (let i = 0; i < 4; i++) {
        await healthy(`T06 scrape ${i + 1} (wait_timeout=1)`);
        scrapes++;
        await sleep(1500);
      }
      // KILL an idle exporter session by hand.
      await setGlobal(db, 'wait_timeout', Number(previous));
      await healthy('T06 before KILL');
      const [victim] = await db.sql(
        "SELECT ID FROM information_schema.PROCESSLIST WHERE USER='exporter' AND COMMAND='Sleep' LIMIT 1",
      );
      assert.ok(victim, 'an idle pooled session to kill');
      await db.sql(`KILL ${Number(victim.ID)}`);
      await waitFor('killed session gone', 2000, async () => (await sessions(db)).total < POOL + 1);
      await healthy('T06 after KILL of an idle session');
      scrapes += 2;
      const d = counterDelta(before, await serverCounters(db));
      // Each scrape after an idle kill opens at most the pool's worth of new sessions (plus our probes).
      assert.ok(d.Connections <= scrapes * POOL + 10, `T06: Connections delta ${d.Connections}`);
    } finally {
      await setGlobal(db, 'wait_timeout', Number(previous));
    }
    await assertSettled(db, POOL);
  });
});
