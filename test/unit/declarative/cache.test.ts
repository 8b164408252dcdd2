/** min_interval: per-target cache, one run per interval, one shared refresh for concurrent scrapes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CollectorError } from '../../../src/errors.js';
import { createQueryCollector } from '../../../src/declarative/collector.js';
import type { Db } from '../../../src/model/collector.js';
import type { MetricFamily } from '../../../src/model/metrics.js';
import type { QueryResult } from '../../../src/model/rows.js';
import { context, MARIADB_1011, result } from '../../helpers/fixtures.js';
import { fakeClock, specOf } from './helpers.js';

const SPEC = specOf(`name: custom.cached
help: Cached.
min_interval: 30s
sql: SELECT v FROM t
metrics:
  - name: mysql_custom_cached
    help: Cached value.
    type: gauge
    value: v
`);

/** A Db that counts executions and answers with the execution number. */
function countingDb(): Db & { runs: number } {
  const db = {
    runs: 0,
    async query(): Promise<QueryResult> {
      db.runs++;
      return result(['v'], [[db.runs]]);
    },
  };
  return db;
}

const sampleValue = (fs: readonly MetricFamily[], name = 'mysql_custom_cached') =>
  fs.find((f) => f.name === name)?.samples[0]?.value;

test('a cached query runs at most once per min_interval however many scrapes arrive', async () => {
  const clock = fakeClock();
  const c = createQueryCollector(SPEC, { clock: clock.now });
  const db = countingDb();
  const ctx = context(db, MARIADB_1011());
  for (let i = 0; i < 20; i++) {
    assert.equal(sampleValue(await c.collect(ctx)), 1);
    clock.advance(1000);
  }
  assert.equal(db.runs, 1);
  clock.advance(10_000);
  assert.equal(sampleValue(await c.collect(ctx)), 2);
  assert.equal(db.runs, 2);
});

test('the cache age is exported, 0 right after a run', async () => {
  const clock = fakeClock();
  const c = createQueryCollector(SPEC, { clock: clock.now });
  const ctx = context(countingDb(), MARIADB_1011());
  assert.equal(sampleValue(await c.collect(ctx), 'mysql_exporter_query_cache_age_seconds'), 0);
  clock.advance(12_500);
  const fs = await c.collect(ctx);
  assert.equal(sampleValue(fs, 'mysql_exporter_query_cache_age_seconds'), 12.5);
  assert.deepEqual(fs.find((f) => f.name === 'mysql_exporter_query_cache_age_seconds')?.samples[0]?.labels, {
    collector: 'collect.custom.cached',
  });
});

test('without min_interval there is no cache and no cache-age family', async () => {
  const spec = specOf(`name: custom.live
help: Live.
sql: SELECT v FROM t
metrics:
  - {name: mysql_custom_live, help: Live., type: gauge, value: v}
`);
  const db = countingDb();
  const c = createQueryCollector(spec);
  await c.collect(context(db, MARIADB_1011()));
  const fs = await c.collect(context(db, MARIADB_1011()));
  assert.equal(db.runs, 2);
  assert.equal(
    fs.some((f) => f.name === 'mysql_exporter_query_cache_age_seconds'),
    false,
  );
});

test('concurrent scrapes share one refresh (single flight)', async () => {
  const clock = fakeClock();
  const c = createQueryCollector(SPEC, { clock: clock.now });
  let runs = 0;
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const db: Db = {
    async query() {
      runs++;
      await gate;
      return result(['v'], [[42]]);
    },
  };
  const ctx = context(db, MARIADB_1011());
  const pending = Array.from({ length: 10 }, () => c.collect(ctx));
  await new Promise((r) => setImmediate(r));
  assert.equal(runs, 1);
  release();
  const all = await Promise.all(pending);
  assert.deepEqual(
    all.map((fs) => sampleValue(fs)),
    Array(10).fill(42),
  );
  assert.equal(runs, 1);
});

test('the cache is per target', async () => {
  const clock = fakeClock();
  const c = createQueryCollector(SPEC, { clock: clock.now });
  const db = countingDb();
  await c.collect({ ...context(db, MARIADB_1011()), targetKey: 'a:3306' });
  await c.collect({ ...context(db, MARIADB_1011()), targetKey: 'b:3306' });
  await c.collect({ ...context(db, MARIADB_1011()), targetKey: 'a:3306' });
  assert.equal(db.runs, 2);
});

test('a failed refresh is not cached: the next scrape runs again, waiters share the failure', async () => {
  const clock = fakeClock();
  const c = createQueryCollector(SPEC, { clock: clock.now });
  let runs = 0;
  const db: Db = {
    async query() {
      runs++;
      if (runs === 1) throw new Error('boom');
      return result(['v'], [[runs]]);
    },
  };
  const ctx = context(db, MARIADB_1011());
  const both = await Promise.allSettled([c.collect(ctx), c.collect(ctx)]);
  assert.deepEqual(
    both.map((r) => r.status),
    ['rejected', 'rejected'],
  );
  assert.equal(runs, 1);
  // The failure itself carries the error counter, so it is exported with collector_success 0.
  const failure = both[0]?.status === 'rejected' ? both[0].reason : undefined;
  assert.ok(failure instanceof CollectorError);
  assert.equal(sampleValue(failure.families, 'mysql_exporter_query_errors_total'), 1);
  const fs = await c.collect(ctx);
  assert.equal(sampleValue(fs), 2);
  assert.equal(sampleValue(fs, 'mysql_exporter_query_errors_total'), 1);
});

test('each create() has its own cache (a reload starts fresh)', async () => {
  const clock = fakeClock();
  const db = countingDb();
  await createQueryCollector(SPEC, { clock: clock.now }).collect(context(db, MARIADB_1011()));
  await createQueryCollector(SPEC, { clock: clock.now }).collect(context(db, MARIADB_1011()));
  assert.equal(db.runs, 2);
});
