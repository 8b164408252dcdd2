/**
 * Fleet mode through /probe, against a real MariaDB reached through distinct ports of the bench's
 * TCP proxy (each port a distinct target): pool churn past --probe.max_targets is counted and
 * logged; an unreachable target backs off (the proxy counts its connection attempts) while a
 * healthy one keeps being served, and recovers once reachable again.
 */
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DelayProxy } from '../../bench/lib/delay-proxy.js';
import { cleanup, cnfFor, startExporter, writeMyCnf } from '../helpers/exporter.js';
import type { TestExporter } from '../helpers/exporter.js';
import { type MariaDb, createExporterUser, startMariaDb } from '../helpers/mariadb.js';
import { poll } from '../helpers/poll.js';

function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

describe('fleet mode (/probe of many targets)', () => {
  let db: MariaDb;
  let proxy: DelayProxy;
  let cnf: string;

  before(async () => {
    db = await startMariaDb();
    await createExporterUser(db, 'exporter', 'pw', 50);
    proxy = await DelayProxy.start({ upstream: { host: '127.0.0.1', port: db.port }, oneWayMs: 0, ports: 4 });
    cnf = writeMyCnf(cnfFor(db.port, 'exporter', 'pw'));
  });
  after(async () => {
    await proxy?.close();
    await db?.destroy();
    if (cnf) cleanup(dirname(cnf));
  });

  async function withExporter(args: string[], fn: (exp: TestExporter) => Promise<void>): Promise<void> {
    const exp = await startExporter(cnf, ['--probe.allow=127.0.0.1/32', ...args]);
    try {
      await fn(exp);
    } finally {
      await exp.stop();
    }
  }

  const probe = async (exp: TestExporter, port: number) => {
    const r = await exp.get(`/probe?target=127.0.0.1:${port}`);
    assert.equal(r.status, 200);
    return sample(r.body, 'mysql_up');
  };

  // /metrics scrapes the .my.cnf's own target too: one more pool (D) in every count below.
  test('pools closed past --probe.max_targets are counted and logged', async () => {
    await withExporter(['--probe.max_targets=3'], async (exp) => {
      const [a, b, c] = proxy.ports as [number, number, number];
      await exp.get('/metrics');
      for (const port of [a, b]) assert.equal(await probe(exp, port), 1);
      let m = (await exp.get('/metrics')).body;
      assert.equal(sample(m, 'mysql_exporter_target_pool_evictions_total{reason="limit"}'), 0);
      assert.equal(sample(m, 'mysql_exporter_target_pools'), 3);
      assert.equal(exp.logs.filter((l) => l.includes('target pools churn')).length, 0);
      // A fourth target: the least recently used pool (a) is closed; then a again closes b.
      assert.equal(await probe(exp, c), 1);
      assert.equal(await probe(exp, a), 1);
      m = (await exp.get('/metrics')).body;
      assert.equal(sample(m, 'mysql_exporter_target_pool_evictions_total{reason="limit"}'), 2);
      assert.equal(sample(m, 'mysql_exporter_target_pools_created_total'), 5);
      assert.equal(sample(m, 'mysql_exporter_target_pools'), 3);
      const churn = exp.logs.filter((l) => l.includes('target pools churn'));
      // Logged at once, then at most once a minute.
      assert.equal(churn.length, 1);
      assert.match(churn[0]!, /max_targets=3/);
    });
  });

  test('the default limit keeps every pool of a fleet: no churn', async () => {
    await withExporter([], async (exp) => {
      for (const port of proxy.ports) assert.equal(await probe(exp, port), 1);
      const m = (await exp.get('/metrics')).body;
      assert.equal(sample(m, 'mysql_exporter_target_pool_evictions_total{reason="limit"}'), 0);
      assert.equal(sample(m, 'mysql_exporter_target_pools'), proxy.ports.length + 1);
      // One database session per target with the default collectors.
      assert.equal(sample(m, 'mysql_exporter_target_sessions'), proxy.ports.length + 1);
    });
  });

  test('a dead target backs off while a healthy one keeps being served, and recovers', async () => {
    const [dead, healthy] = proxy.ports as [number, number];
    proxy.setDead(dead, true);
    try {
      await withExporter([], async (exp) => {
        const attempts0 = proxy.stats().find((s) => s.port === dead)!.connections;
        const probes = 20;
        for (let i = 0; i < probes; i++) {
          assert.equal(await probe(exp, dead), 0);
          assert.equal(await probe(exp, healthy), 1);
        }
        const attempts = proxy.stats().find((s) => s.port === dead)!.connections - attempts0;
        // Without backoff, every probe of the dead target would connect (20 attempts); with it,
        // after the first failure the next attempt waits at least a second.
        assert.ok(attempts >= 1, `expected a connect attempt, got ${attempts}`);
        assert.ok(attempts < probes / 2, `expected backoff, got ${attempts} attempts for ${probes} probes`);
        const r = await exp.get(`/probe?target=127.0.0.1:${dead}`);
        assert.match(r.body, /^mysql_up 0$/m);
        const m = (await exp.get('/metrics')).body;
        assert.equal(sample(m, 'mysql_exporter_targets_backing_off'), 1);
        // Reachable again: served again once its backoff has passed.
        proxy.setDead(dead, false);
        await poll(
          'the revived target up again',
          60_000,
          async () => ((await probe(exp, dead)) === 1 ? true : undefined),
          250,
        );
        const after = (await exp.get('/metrics')).body;
        assert.equal(sample(after, 'mysql_exporter_targets_backing_off'), 0);
      });
    } finally {
      proxy.setDead(dead, false);
    }
  });
});
