import { ExporterError } from '../errors.js';
import type { Collector } from '../model/collector.js';

export class UnknownCollectorError extends ExporterError {
  constructor(readonly names: readonly string[]) {
    super('UNKNOWN_COLLECTOR', `unknown collector(s): ${names.join(', ')}`);
  }
}

/**
 * The collectors to run for one request: those enabled in config, narrowed by `collect[]` when the
 * request names any (as in mysqld_exporter, a known but disabled collector named in `collect[]` is
 * not run). A name that no collector has is an error (400), so typos do not silently scrape nothing.
 */
export function selectCollectors(
  all: readonly Collector[],
  enabled: ReadonlySet<string>,
  requested: readonly string[] | undefined,
): Collector[] {
  const active = all.filter((c) => enabled.has(c.name));
  if (!requested || requested.length === 0) return active;
  const known = new Set(all.map((c) => c.name));
  const unknown = requested.filter((n) => !known.has(n));
  if (unknown.length > 0) throw new UnknownCollectorError(unknown);
  const wanted = new Set(requested);
  return active.filter((c) => wanted.has(c.name));
}
