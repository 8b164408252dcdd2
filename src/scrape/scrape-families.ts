/**
 * A scrape's own families, named as mysqld_exporter names them (`mysql_up`, each collector's success
 * and duration), in front of the collectors' families: what a scrape result exposes.
 */
import { collectorLabel } from '../model/collector.js';
import type { MetricFamily, Sample } from '../model/metrics.js';
import type { ScrapeResult } from './result.js';

/** The scrape's own families followed by the collectors'; a new array on every call. */
export function scrapeFamilies(result: ScrapeResult): MetricFamily[] {
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
