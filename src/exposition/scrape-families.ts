/** The per-scrape metrics about the scrape itself, named as mysqld_exporter names them. */
import type { ScrapeResult } from '../scrape/orchestrator.js';
import type { DerivedOutput } from '../scrape/types.js';
import type { MetricFamily, Sample } from '../model/metrics.js';

/** mysqld_exporter labels collectors `collect.<name>`; dashboards filter on that. */
export const collectorLabel = (name: string) => `collect.${name}`;

const DERIVED: unique symbol = Symbol('mysql-exporter.derived-output');

/** An array returned by scrapeFamilies, pointing at its result's shared derived output. */
interface Tagged {
  readonly [DERIVED]?: DerivedOutput;
}

/**
 * The derived output that `families` (an array from scrapeFamilies) may reuse: only while it still
 * holds exactly the families it was given (a caller may have added or removed some).
 */
export function derivedOutput(families: readonly MetricFamily[]): DerivedOutput | undefined {
  const d = (families as readonly MetricFamily[] & Tagged)[DERIVED];
  const shared = d?.families;
  if (!d || !shared || shared.length !== families.length) return undefined;
  for (let i = 0; i < shared.length; i++) if (shared[i] !== families[i]) return undefined;
  return d;
}

function build(result: ScrapeResult): MetricFamily[] {
  const durations: Sample[] = [{ labels: { collector: 'connection' }, value: result.connectSeconds }];
  const success: Sample[] = [];
  for (const o of result.outcomes) {
    durations.push({ labels: { collector: collectorLabel(o.name) }, value: o.durationSeconds });
    success.push({ labels: { collector: collectorLabel(o.name) }, value: o.success ? 1 : 0 });
  }
  const families: MetricFamily[] = [
    {
      name: 'mysql_up',
      help: 'Whether the MySQL server is up.',
      type: 'gauge',
      samples: [{ labels: {}, value: result.up ? 1 : 0 }],
    },
    {
      name: 'mysql_exporter_collector_duration_seconds',
      help: 'Collector time duration.',
      type: 'gauge',
      samples: durations,
    },
  ];
  if (success.length > 0) {
    families.push({
      name: 'mysql_exporter_collector_success',
      help: 'mysqld_exporter: Whether a collector succeeded.',
      type: 'gauge',
      samples: success,
    });
  }
  return [...families, ...result.families];
}

/**
 * The scrape's own families followed by the collectors'. Every caller gets its own array; callers
 * of one shared round share the families themselves and, through `derivedOutput`, their text.
 */
export function scrapeFamilies(result: ScrapeResult): MetricFamily[] {
  const d = result.derived;
  if (!d) return build(result);
  d.families ??= build(result);
  const copy = [...d.families];
  Object.defineProperty(copy, DERIVED, { value: d, enumerable: false });
  return copy;
}
