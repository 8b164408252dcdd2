/**
 * Fault matrix T16-T21: a hanging collector, the scrape-timeout header, clients that give up,
 * metadata and row locks held by other sessions, overlapping scrapes (/metrics and /probe).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { MariaDb } from '../helpers/mariadb.js';
import { createUser, sleep, startFaultDb } from '../helpers/fault/db.js';
import {
  type FaultExporter,
  queryFile,
  startExporter,
  writeCnf,
  writeQueries,
} from '../helpers/fault/exporter.js';
import {
  MARGIN_MS,
  assertAlive,
  assertNoCanary,
  assertScrape,
  assertSettled,
  collectorSuccess,
  up,
} from '../helpers/fault/invariants.js';
import { holdMetadataLock, holdRowLocks, holdTableWriteLock, queueDdl } from '../helpers/fault/locks.js';
import { AbortedRequest, type HttpResult } from '../helpers/fault/net.js';
import { sessions, waitFor, watchSessions } from '../helpers/fault/server-state.js';

const POOL = 2;

function percentile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

describe('fault T16-T21: slowness, locks and deadlines', () => {
  let db: MariaDb;
  let exp: FaultExporter;
  const exps: FaultExporter[] = [];
  let queries: string;

  before(async () => {
    db = await startFaultDb({ maxUserConnections: 10 });
    queries = writeQueries({
      'hang.yaml': queryFile('fault.hang', 'SELECT SLEEP(30) AS v', 'timeout: 2s'),
      'sleep10.yaml': queryFile('fault.sleep10', 'SELECT SLEEP(10) AS v'),
      'sleep5.yaml': queryFile('fault.sleep5', 'SELECT SLEEP(5) AS v'),
      'sleep3.yaml': queryFile('fault.sleep3', 'SELECT SLEEP(3) AS v'),
      't1count.yaml': queryFile('fault.t1count', 'SELECT COUNT(*) AS v FROM t1.t'),
    });
    exp = await startExporter(writeCnf(db), {
      args: [
        `--queries.dir=${queries}`,
        '--collect.info_schema.tables',
        '--collect.info_schema.tables.databases=t1',
      ],
    });
    exps.push(exp);
  });
  after(async () => {
    for (const e of exps) await e.stop();
    assertNoCanary(exps, [db]);
    await db?.destroy();
  });

  test('T16: hanging collector -> partial answer by its timeout, the statement killed on the server', async () => {
    const q = 'collect[]=global_status&collect[]=global_variables&collect[]=fault.hang';
    const { result: r, peakTotal } = await watchSessions(db, () =>
      exp.get(`/metrics?${q}`, { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '10' } }),
    );
    assertScrape(r, 2000, 'T16');
    assert.ok(r.ms >= 1900, `T16: answered at ${Math.round(r.ms)} ms, before the 2 s collector timeout`);
    assert.equal(up(r.body), 1);
    assert.equal(collectorSuccess(r.body, 'fault.hang'), 0);
    assert.equal(collectorSuccess(r.body, 'global_status'), 1, 'other collectors ran on other connections');
    assert.equal(collectorSuccess(r.body, 'global_variables'), 1);
    assert.ok(peakTotal <= POOL + 1, `T16: sessions peak ${peakTotal} (pool ${POOL} + one KILL)`);
    const cancelMs = await waitFor('T16: SLEEP gone from the server', 1000, async () => {
      return (await sessions(db)).running === 0;
    });
    assert.ok(cancelMs <= 1000, `T16: time to cancel ${cancelMs} ms`);
    await assertSettled(db, POOL);
  });

  test('T17: scrape-timeout header -> its deadline, capped by --exporter.scrape_timeout; malformed values -> the configured default', async () => {
    const short = await startExporter(writeCnf(db), {
      args: [`--queries.dir=${queries}`, '--exporter.scrape_timeout=1.5'],
    });
    exps.push(short);
    const q = '/metrics?collect[]=fault.sleep10';
    const valid = await short.get(q, { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '1' } });
    assertScrape(valid, 750, 'T17 header 1');
    assert.ok(Math.abs(valid.ms - 750) <= 400, `T17: header 1 answered at ${Math.round(valid.ms)} ms`);
    assert.equal(collectorSuccess(valid.body, 'fault.sleep10'), 0);
    // A header above --exporter.scrape_timeout (1.5 s) is capped by it, as --help says.
    for (const h of ['3', '30']) {
      const capped = await short.get(q, { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': h } });
      assertScrape(capped, 1250, `T17 header ${h}`);
      assert.equal(collectorSuccess(capped.body, 'fault.sleep10'), 0);
      // The server is alive (open batch session, idle): a slow query-file statement is not mysql_up 0.
      assert.equal(up(capped.body), 1, `T17 header ${h}: mysql_up`);
    }
    await assertSettled(db, POOL * exps.length);
    for (const h of ['abc', '-5', '0', 'NaN', 'Infinity', '1e9', '0.2', '']) {
      const mark = short.mark();
      const r = await short.get(q, { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': h } });
      assertScrape(r, 1250, `T17 header ${JSON.stringify(h)}`);
      assert.ok(r.ms >= 1150, `T17 header ${JSON.stringify(h)}: ${Math.round(r.ms)} ms, default is 1.25 s`);
      if (h !== '')
        assert.ok(
          short
            .since(mark)
            .some((l) => l.includes('level=debug') && l.includes('X-Prometheus-Scrape-Timeout')),
          `T17 header ${JSON.stringify(h)}: a debug line says the header was ignored`,
        );
    }
    await assertSettled(db, POOL * exps.length);
  });

  test('T18: client disconnects mid-scrape x20 -> the statement is cancelled within 1 s, no session growth', async () => {
    const cancel: number[] = [];
    for (let i = 0; i < 20; i++) {
      await assert.rejects(
        exp.get('/metrics?collect[]=fault.sleep5', {
          headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '10' },
          abortAfterMs: 300,
        }),
        AbortedRequest,
      );
      const t0 = Date.now();
      await waitFor(
        `T18 #${i + 1}: SLEEP cancelled`,
        1000,
        async () => (await sessions(db)).running === 0,
        25,
      );
      cancel.push(Date.now() - t0);
    }
    const s = await sessions(db);
    assert.ok(s.total <= POOL * exps.length, `T18: ${s.total} sessions after 20 disconnects`);
    assert.ok(percentile(cancel, 100) <= 1000, `T18: time to cancel ${cancel.join(',')}`);
    await assertAlive(exp);
  });

  test('T19: metadata-lock pile-up -> the exporter waits at most lock_wait_timeout, then 1205 for that collector', async () => {
    const a = await holdMetadataLock(db);
    const ddl = await queueDdl(db);
    try {
      await waitFor('T19: ALTER waiting for the metadata lock', 3000, async () => {
        const rows = await db.sql(
          "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE STATE LIKE 'Waiting for table metadata lock'",
        );
        return Number(rows[0]?.n) >= 1;
      });
      const q = 'collect[]=global_status&collect[]=fault.t1count&collect[]=info_schema.tables';
      const mark = exp.mark();
      const r = await exp.get(`/metrics?${q}`, { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '10' } });
      assertScrape(r, 2000 + 1000, 'T19 (lock_wait_timeout 2 s)');
      assert.equal(up(r.body), 1);
      assert.equal(collectorSuccess(r.body, 'global_status'), 1);
      assert.equal(collectorSuccess(r.body, 'fault.t1count'), 0);
      assert.ok(
        exp.since(mark).some((l) => l.includes('ER_LOCK_WAIT_TIMEOUT')),
        'T19: 1205 for the blocked collector',
      );
      // information_schema.TABLES reads metadata without a table MDL: it does not block.
      assert.equal(collectorSuccess(r.body, 'info_schema.tables'), 1, 'T19: I_S tables did not block');
    } finally {
      await a.release();
    }
    // The DDL was blocked by A only: it completes once A is gone.
    const ddlMs = await Promise.race([ddl.done, sleep(5000).then(() => -1)]);
    assert.notEqual(ddlMs, -1, 'T19: the ALTER finished after the holder released');
    await assertSettled(db, POOL * exps.length);
  });

  test('T20: table lock -> bounded by lock_wait_timeout; row locks do not block the exporter', async () => {
    const q = 'collect[]=global_status&collect[]=fault.t1count';
    const w = await holdTableWriteLock(db);
    let r: HttpResult;
    try {
      r = await exp.get(`/metrics?${q}`, { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '10' } });
    } finally {
      await w.release();
    }
    assertScrape(r, 3000, 'T20 LOCK TABLES WRITE');
    assert.equal(collectorSuccess(r.body, 'fault.t1count'), 0);
    assert.ok(r.ms <= 2000 + MARGIN_MS, `T20: waited ${Math.round(r.ms)} ms`);
    const rows = await holdRowLocks(db);
    try {
      const ok = await exp.get(`/metrics?${q}`, { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '10' } });
      assertScrape(ok, 1000, 'T20 FOR UPDATE held elsewhere');
      assert.equal(collectorSuccess(ok.body, 'fault.t1count'), 1, 'T20: a plain read is not a locking read');
    } finally {
      await rows.release();
    }
    await assertSettled(db, POOL * exps.length);
  });

  test('T21: overlapping scrapes of one target share one round; /probe never mixes targets', async () => {
    const results: HttpResult[] = [];
    const fire = async () => {
      const pending: Promise<void>[] = [];
      for (let tick = 0; tick < 6; tick++) {
        for (let scraper = 0; scraper < 2; scraper++)
          pending.push(
            exp
              .get('/metrics?collect[]=fault.sleep3', {
                headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '5' },
              })
              .then((r) => {
                results.push(r);
              }),
          );
        await sleep(1000);
      }
      await Promise.all(pending);
    };
    const w = await watchSessions(db, fire, 50);
    assert.ok(w.peakRunning <= 1, `T21: ${w.peakRunning} statements in flight for one target`);
    assert.ok(w.peakTotal <= POOL * exps.length, `T21: sessions peak ${w.peakTotal}`);
    for (const r of results) {
      assert.ok(r.status === 200 || r.status === 503, `T21: HTTP ${r.status}`);
      if (r.status === 200) assert.equal(up(r.body), 1);
    }
    const p99 = percentile(
      results.map((r) => r.ms),
      99,
    );
    assert.ok(p99 <= 4750 + MARGIN_MS, `T21: p99 ${Math.round(p99)} ms`);

    // /probe: five good and five bad auth modules, probed together, five rounds.
    let cnf = `[client]\nhost = 127.0.0.1\nport = ${db.port}\nuser = exporter\npassword = x\n`;
    for (let i = 1; i <= 5; i++) {
      await createUser(db, `u${i}`, `pw-${i}`, POOL);
      cnf += `[client.good${i}]\nuser = u${i}\npassword = pw-${i}\n[client.bad${i}]\nuser = u${i}\npassword = wrong-${i}\n`;
    }
    const cnfPath = writeCnf(db);
    writeFileSync(cnfPath, cnf);
    const multi = await startExporter(cnfPath, { args: [`--probe.allow=127.0.0.1:${db.port}`] });
    exps.push(multi);
    let mixups = 0;
    for (let round = 0; round < 5; round++) {
      const all = await Promise.all(
        [1, 2, 3, 4, 5].flatMap((i) =>
          ['good', 'bad'].map(async (kind) => {
            const r = await multi.get(
              `/probe?target=127.0.0.1:${db.port}&auth_module=client.${kind}${i}&collect[]=global_status`,
            );
            return { kind, r };
          }),
        ),
      );
      for (const { kind, r } of all) {
        assert.equal(r.status, 200);
        if (up(r.body) !== (kind === 'good' ? 1 : 0)) mixups++;
      }
    }
    assert.equal(mixups, 0, 'T21: mysql_up never mixed between auth modules');
    for (let i = 1; i <= 5; i++) {
      const s = await sessions(db, `u${i}`);
      assert.ok(s.total <= POOL, `T21: u${i} has ${s.total} sessions`);
    }
  });
});
