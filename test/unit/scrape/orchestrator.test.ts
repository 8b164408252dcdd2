import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseServerInfo, type ServerInfo } from '../../../src/model/server-info.js';
import { CollectorError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log/logger.js';
import { type ScrapeTarget, scrape } from '../../../src/scrape/orchestrator.js';
import { markBatchable } from '../../../src/model/batchable.js';
import type { Collector, Db } from '../../../src/model/collector.js';
import type { MetricFamily } from '../../../src/model/metrics.js';

const maria = parseServerInfo('10.11.6-MariaDB')!;
const db: Db = { query: async () => ({ columns: [], rows: [] }) };

function target(info: ServerInfo | Error): ScrapeTarget {
  return {
    key: 't:3306',
    serverInfo: async () => {
      if (info instanceof Error) throw info;
      return info;
    },
    db: () => db,
  };
}

function gaugeFamily(name: string, value = 1): MetricFamily {
  return { name, help: name, type: 'gauge', samples: [{ labels: {}, value }] };
}

function collector(name: string, collect: Collector['collect'], supports = true): Collector {
  return { name, help: name, enabledByDefault: true, supports: () => supports, collect };
}

const opts = { concurrency: 2, maxSeries: 1000, log: silentLogger() };

test('a server that cannot be reached gives up=0 and runs no collector', async () => {
  let ran = false;
  const r = await scrape({
    ...opts,
    target: target(new Error('ECONNREFUSED')),
    signal: new AbortController().signal,
    collectors: [
      collector('a', async () => {
        ran = true;
        return [];
      }),
    ],
  });
  assert.equal(r.up, false);
  assert.match(r.error ?? '', /ECONNREFUSED/);
  assert.equal(ran, false);
  assert.deepEqual(r.outcomes, []);
});

test('a failing collector is isolated; unsupported collectors do not run', async () => {
  let unsupportedRan = false;
  const r = await scrape({
    ...opts,
    target: target(maria),
    signal: new AbortController().signal,
    collectors: [
      collector('good', async () => [gaugeFamily('mysql_good')]),
      collector('bad', async () => {
        throw new Error('ER_TABLEACCESS_DENIED_ERROR');
      }),
      collector(
        'mysql_only',
        async () => {
          unsupportedRan = true;
          return [];
        },
        false,
      ),
    ],
  });
  assert.equal(r.up, true);
  assert.equal(unsupportedRan, false);
  assert.deepEqual(
    r.outcomes.map((o) => [o.name, o.success]),
    [
      ['good', true],
      ['bad', false],
    ],
  );
  assert.equal(r.outcomes[0]?.families[0]?.name, 'mysql_good');
});

test('a collector over its time budget is cut off and the rest come back', async () => {
  const slow = { ...collector('slow', () => new Promise<MetricFamily[]>(() => {})), timeoutMs: 50 };
  const t0 = Date.now();
  const r = await scrape({
    ...opts,
    target: target(maria),
    signal: new AbortController().signal,
    collectors: [slow, collector('fast', async () => [gaugeFamily('mysql_fast')])],
  });
  assert.ok(Date.now() - t0 < 1000);
  assert.deepEqual(
    r.outcomes.map((o) => [o.name, o.success]),
    [
      ['slow', false],
      ['fast', true],
    ],
  );
  assert.match(r.outcomes[0]?.error ?? '', /deadline/);
});

test('the scrape signal bounds every collector, even one that ignores it', async () => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 50);
  const r = await scrape({
    ...opts,
    target: target(maria),
    signal: ac.signal,
    collectors: [collector('hang', () => new Promise<MetricFamily[]>(() => {}))],
  });
  assert.equal(r.outcomes[0]?.success, false);
});

test('invalid output fails only that collector', async () => {
  const r = await scrape({
    ...opts,
    target: target(maria),
    signal: new AbortController().signal,
    collectors: [
      collector('nan', async () => [gaugeFamily('mysql_x', Number.NaN)]),
      collector('badname', async () => [gaugeFamily('mysql-x')]),
      collector('dup', async () => [gaugeFamily('mysql_d'), gaugeFamily('mysql_d')]),
      collector('ok', async () => [gaugeFamily('mysql_ok')]),
    ],
  });
  assert.deepEqual(
    r.outcomes.map((o) => o.success),
    [false, false, false, true],
  );
});

test('collectors run under the concurrency bound', async () => {
  let running = 0;
  let peak = 0;
  const c = (name: string) =>
    collector(name, async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 10));
      running--;
      return [];
    });
  await scrape({
    ...opts,
    concurrency: 2,
    target: target(maria),
    signal: new AbortController().signal,
    collectors: ['a', 'b', 'c', 'd', 'e'].map(c),
  });
  assert.equal(peak, 2);
});

test("a failed collector's own families (e.g. its error counter) are exported next to success 0", async () => {
  const r = await scrape({
    ...opts,
    target: target(maria),
    signal: new AbortController().signal,
    collectors: [
      collector('q', async () => {
        throw new CollectorError('query failed: ER_NO_SUCH_TABLE', {
          families: [
            {
              name: 'mysql_exporter_query_errors_total',
              help: 'h',
              type: 'counter',
              samples: [{ labels: { collector: 'collect.q' }, value: 3 }],
            },
          ],
        });
      }),
      collector('bad', async () => {
        throw new CollectorError('x', { families: [gaugeFamily('mysql-invalid name')] });
      }),
    ],
  });
  assert.deepEqual(
    r.outcomes.map((o) => [o.name, o.success, o.families.length]),
    [
      ['q', false, 1],
      ['bad', false, 0],
    ],
  );
  assert.equal(r.families.find((f) => f.name === 'mysql_exporter_query_errors_total')?.samples[0]?.value, 3);
});

test('deadline reached and nothing came back: up=0 with the collectors’ error, no partial output', async () => {
  const silent: ScrapeTarget = {
    ...target(maria),
    // The statement is abandoned a little after the deadline (no answer ever came).
    db: () => ({
      query: () =>
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error('deadline exceeded; statement abandoned')), 30),
        ),
    }),
    answeredSince: () => false,
  };
  const run = async (t: ScrapeTarget, deadlinePasses: boolean) => {
    const ac = new AbortController();
    return scrape({
      ...opts,
      target: t,
      signal: ac.signal,
      collectors: [
        collector('a', async (ctx) => {
          if (deadlinePasses) setTimeout(() => ac.abort(), 5);
          await ctx.db.query('SELECT 1');
          return [gaugeFamily('mysql_a')];
        }),
      ],
    });
  };
  const r = await run(silent, true);
  assert.equal(r.up, false);
  assert.match(r.error ?? '', /sent nothing during the scrape/);
  assert.deepEqual(r.families, []);
  // The server answered something: up, with the collector's failure reported alone.
  const r2 = await run({ ...silent, answeredSince: () => true }, true);
  assert.equal(r2.up, true);
  assert.equal(r2.outcomes[0]?.success, false);
  // Only the collector's own budget passed (one slow statement), not the scrape's deadline: up.
  const r3 = await run(silent, false);
  assert.equal(r3.up, true);
  assert.equal(r3.outcomes[0]?.success, false);
});

test('a scrape with query-file collectors asks the target for one statement of its own; one without does not', async () => {
  const run = async (collectors: Collector[]) => {
    const asked: number[] = [];
    const t0 = performance.now();
    const t: ScrapeTarget = { ...target(maria), ensureAsked: (since) => asked.push(since) };
    await scrape({ ...opts, target: t, signal: new AbortController().signal, collectors });
    for (const since of asked) assert.ok(since >= t0, 'since the scrape started');
    return asked.length;
  };
  const custom = () => collector('custom', async () => [gaugeFamily('mysql_custom')]);
  const builtIn = () => markBatchable(collector('builtin', async () => [gaugeFamily('mysql_builtin')]));
  assert.equal(await run([custom()]), 1, 'query files only');
  assert.equal(await run([builtIn(), custom()]), 1, 'built-in collectors may all be served from a cache');
  assert.equal(
    await run([builtIn()]),
    0,
    'built-in collectors only: their statements are the exporter’s own',
  );
  assert.equal(await run([collector('custom', async () => [], false)]), 0, 'nothing runnable');
});
