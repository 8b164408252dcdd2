/**
 * Helpers for the unit tests of the processlist / mysql.user / tables / tablespaces / innodb_metrics /
 * auto_increment / binlog / userstats / clientstats collectors: build a collector from its definition
 * with command-line flags, run it through the real orchestrator against a FakeDb, and read samples.
 */
import assert from 'node:assert/strict';
import type { CollectorDef } from '../../../src/collectors/collector-def.js';
import { parseFlags } from '../../../src/config/flags.js';
import type { ServerInfo } from '../../../src/model/server-info.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { CollectorOutcome } from '../../../src/scrape/result.js';
import { scrape } from '../../../src/scrape/orchestrator.js';
import type { Collector } from '../../../src/model/collector.js';
import type { MetricFamily } from '../../../src/model/metrics.js';
import { validateFamilies } from '../../../src/scrape/validate.js';
import type { FakeDb } from '../../helpers/fixtures.js';
export { requireFamily as family, seriesValue as value } from '../../helpers/samples.js';

export function build(def: CollectorDef, argv: readonly string[] = []): Collector {
  const parsed = parseFlags(def.flags ?? [], argv);
  assert.deepEqual(parsed.problems, []);
  return def.create(parsed.values);
}

/** One scrape through the orchestrator; `undefined` means the collector was skipped as unsupported. */
export async function run(
  collector: Collector,
  server: ServerInfo,
  db: FakeDb,
  targetKey = 'test:3306',
): Promise<CollectorOutcome | undefined> {
  const res = await scrape({
    target: { key: targetKey, serverInfo: async () => server, db: () => db },
    collectors: [collector],
    signal: new AbortController().signal,
    concurrency: 1,
    maxSeries: 1_000_000,
    log: silentLogger(),
  });
  return res.outcomes[0];
}

/** Runs and asserts success; returns the (validated) families. */
export async function ok(
  collector: Collector,
  server: ServerInfo,
  db: FakeDb,
  targetKey?: string,
): Promise<MetricFamily[]> {
  const out = await run(collector, server, db, targetKey);
  assert.ok(out, 'collector was skipped');
  assert.equal(out.error, undefined);
  assert.equal(out.success, true);
  validateFamilies(out.families, 1_000_000);
  return [...out.families];
}

/** Runs and asserts failure; returns the error message. */
export async function fails(collector: Collector, server: ServerInfo, db: FakeDb): Promise<string> {
  const out = await run(collector, server, db);
  assert.ok(out, 'collector was skipped');
  assert.equal(out.success, false);
  return out.error ?? '';
}

export function names(fams: readonly MetricFamily[]): string[] {
  return fams.map((f) => f.name).sort();
}
