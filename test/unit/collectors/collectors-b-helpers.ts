/**
 * Small helpers shared by the unit tests of the perf_schema/engine/heartbeat/slave_hosts/rocksdb
 * collectors: run one collector through the real orchestrator against a FakeDb, and look up samples.
 */
import assert from 'node:assert/strict';
import { parseFlags } from '../../../src/config/flags.js';
import type { CollectorDef } from '../../../src/collectors/collector-def.js';
import type { ServerInfo } from '../../../src/model/server-info.js';
import type { CollectorOutcome } from '../../../src/scrape/result.js';
import type { Collector } from '../../../src/model/collector.js';
import type { MetricFamily } from '../../../src/model/metrics.js';
import { validateFamilies } from '../../../src/scrape/validate.js';
import { type FakeDb, scrapeOnce } from '../../helpers/fixtures.js';
export { requireFamily as family, seriesValue as value } from '../../helpers/samples.js';

/** Builds the collector from its definition with command-line style flags. */
export function build(def: CollectorDef, argv: readonly string[] = []): Collector {
  const parsed = parseFlags(def.flags ?? [], argv);
  assert.deepEqual(parsed.problems, []);
  return def.create(parsed.values);
}

/** Runs one collector through the orchestrator; undefined outcome means it was skipped (unsupported). */
export async function run(
  collector: Collector,
  server: ServerInfo,
  db: FakeDb,
): Promise<CollectorOutcome | undefined> {
  const res = await scrapeOnce(collector, server, db, 1_000_000);
  return res.outcomes[0];
}

export function valid(fams: readonly MetricFamily[]): number {
  return validateFamilies(fams, 1_000_000);
}
