/**
 * One collector under test: built from its definition with command-line flags, scraped once through the
 * real orchestrator against a FakeDb (test/helpers/fixtures.ts), with its outcome checked.
 */
import assert from 'node:assert/strict';
import type { CollectorDef } from '../../src/model/collector.js';
import { parseFlags } from '../../src/config/flags.js';
import type { Collector } from '../../src/model/collector.js';
import type { MetricFamily } from '../../src/model/metrics.js';
import type { ServerInfo } from '../../src/model/server-info.js';
import type { CollectorOutcome } from '../../src/scrape/result.js';
import { validateFamilies } from '../../src/scrape/validate.js';
import { type FakeDb, scrapeOnce } from './fixtures.js';

/** Series cap high enough that no collector under test reaches it. */
const NO_SERIES_CAP = 1_000_000;

/** The collector its definition makes with these command-line flags (which must parse). */
export function buildCollector(def: CollectorDef, argv: readonly string[] = []): Collector {
  const parsed = parseFlags(def.flags ?? [], argv);
  assert.deepEqual(parsed.problems, []);
  return def.create(parsed.values);
}

/** One scrape through the orchestrator; `undefined` means the collector was skipped as unsupported. */
export async function scrapeOutcome(
  collector: Collector,
  server: ServerInfo,
  db: FakeDb,
  targetKey?: string,
): Promise<CollectorOutcome | undefined> {
  return (await scrapeOnce(collector, server, db, NO_SERIES_CAP, targetKey)).outcomes[0];
}

/** Scrapes and asserts success; returns the (validated) families. */
export async function expectSuccess(
  collector: Collector,
  server: ServerInfo,
  db: FakeDb,
  targetKey?: string,
): Promise<MetricFamily[]> {
  const out = await scrapeOutcome(collector, server, db, targetKey);
  assert.ok(out, 'collector was skipped');
  assert.equal(out.error, undefined);
  assert.equal(out.success, true);
  validateFamilies(out.families, NO_SERIES_CAP);
  return [...out.families];
}

/** Scrapes and asserts failure; returns the error message. */
export async function expectFailure(collector: Collector, server: ServerInfo, db: FakeDb): Promise<string> {
  const out = await scrapeOutcome(collector, server, db);
  assert.ok(out, 'collector was skipped');
  assert.equal(out.success, false);
  return out.error ?? '';
}

/** The families' names, sorted. */
export function familyNames(fams: readonly MetricFamily[]): string[] {
  return fams.map((f) => f.name).sort();
}

/** Validates the families as the scrape does (throws on a problem); returns their series count. */
export function validSeriesCount(fams: readonly MetricFamily[]): number {
  return validateFamilies(fams, NO_SERIES_CAP);
}
