/**
 * The invariants every matrix row checks besides its own expectation (reliability.md c1):
 * I1 the process is up; I2 the response arrived within its deadline plus a margin; I3 the exposition
 * is valid (promtool, no duplicate series, no NaN/null/undefined); I4 the exporter's sessions are back
 * to the pool baseline and none of its statements runs; I5 the canary appears nowhere; I6 memory is
 * bounded.
 */
import assert from 'node:assert/strict';
import { duplicateSeries, promtoolCheck, sampleValue } from '../exporter.js';
import type { MariaDb } from '../mariadb.js';
import { processArgs, scanForCanary } from './canary.js';
import { type FaultExporter, rssBytes } from './exporter.js';
import type { HttpResult } from './net.js';
import { waitSettled } from './server-state.js';

/** Slack on top of a deadline for HTTP and scheduling on a loaded 2-core machine. */
export const MARGIN_MS = 750;

/** I1: the exporter answers its health check. */
export async function assertAlive(exp: FaultExporter): Promise<void> {
  const r = await exp.get('/-/healthy', { timeoutMs: 5000 });
  assert.equal(r.status, 200, 'I1: the exporter must stay up');
}

/** I2 + I3 for one /metrics or /probe response. */
export function assertScrape(r: HttpResult, deadlineMs: number, what = 'scrape'): void {
  assert.ok(
    r.ms <= deadlineMs + MARGIN_MS,
    `I2: ${what} took ${Math.round(r.ms)} ms, deadline ${deadlineMs} ms + ${MARGIN_MS} ms`,
  );
  assert.equal(r.status, 200, `${what}: HTTP ${r.status} ${r.body.slice(0, 200)}`);
  assertValidExposition(r.body, what);
}

/** I3 alone. */
export function assertValidExposition(body: string, what = 'exposition'): void {
  const check = promtoolCheck(body);
  assert.equal(check.errors, '', `I3: promtool on ${what}: ${check.errors}`);
  assert.deepEqual(duplicateSeries(body), [], `I3: duplicate series in ${what}`);
  const bad = body.split('\n').filter((l) => /\s(NaN|Nan|undefined|null)$|="(undefined|null)"/.test(l));
  assert.deepEqual(bad, [], `I3: NaN/null/undefined in ${what}`);
}

/** I4. */
export async function assertSettled(db: MariaDb, baseline: number, timeoutMs = 5000): Promise<number> {
  return waitSettled(db, baseline, timeoutMs);
}

/** I5: the canary in none of the exporter's logs or bodies, its process arguments, or the servers' logs. */
export function assertNoCanary(
  exps: readonly (FaultExporter | undefined)[],
  dbs: readonly (MariaDb | undefined)[] = [],
  extra: Readonly<Record<string, readonly string[]>> = {},
): void {
  const live = exps.filter((e): e is FaultExporter => e !== undefined);
  const servers = dbs.filter((d): d is MariaDb => d !== undefined);
  const hits = scanForCanary({
    logs: live.flatMap((e) => e.logs),
    bodies: live.flatMap((e) => e.bodies),
    ps: processArgs([...live.filter((e) => e.child).map((e) => e.pid), ...servers.map((d) => d.pid)]),
    'mariadb error log': servers.map((d) => d.errorLog),
    ...extra,
  });
  assert.deepEqual(hits, [], 'I5/T40: the canary password leaked');
}

/** I6: the process's resident set stays under `maxBytes`. */
export function assertRss(exp: FaultExporter, maxBytes: number): number {
  const rss = exp.child ? rssBytes(exp.pid) : process.memoryUsage().rss;
  assert.ok(
    rss < maxBytes,
    `I6: RSS ${Math.round(rss / 2 ** 20)} MiB over ${Math.round(maxBytes / 2 ** 20)}`,
  );
  return rss;
}

/** mysql_up of a body, failing when it is absent. */
export function up(body: string): number {
  const v = sampleValue(body, 'mysql_up');
  assert.ok(v !== undefined, `mysql_up missing in:\n${body.slice(0, 300)}`);
  return v;
}

/** collector_success of one collector (undefined when it did not run). */
export function collectorSuccess(body: string, collector: string): number | undefined {
  return sampleValue(body, `mysql_exporter_collector_success{collector="collect.${collector}"}`);
}

/** Log lines mentioning a string (e.g. an error code). */
export function linesWith(lines: readonly string[], needle: string): string[] {
  return lines.filter((l) => l.includes(needle));
}
