/**
 * Self-metrics of the target pools (fleet mode), read from the Exporter when /metrics is scraped:
 * pools open, database sessions, targets backing off, pools created and closed (by reason: `limit`
 * is churn from --probe.max_targets, `idle` is a target not scraped for 10 minutes).
 */
import { Counter, Gauge, type Metric, Registry } from 'prom-client';
import type { RegistryStats } from '../db/target-registry.js';

export function poolMetrics(stats: () => RegistryStats): () => Metric[] {
  const registry = new Registry();
  const gauge = (name: string, help: string, read: (s: RegistryStats) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read(stats()));
      },
    });
  gauge('mysql_exporter_target_pools', 'Target connection pools open.', (s) => s.targets);
  gauge(
    'mysql_exporter_target_sessions',
    'Database sessions open across every target pool.',
    (s) => s.sessions,
  );
  gauge(
    'mysql_exporter_targets_backing_off',
    'Targets whose last connection attempt failed (retried after a growing backoff).',
    (s) => s.backingOff,
  );
  new Counter({
    name: 'mysql_exporter_target_pools_created_total',
    help: 'Target connection pools created.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(stats().created);
    },
  });
  new Counter({
    name: 'mysql_exporter_target_pool_evictions_total',
    help: 'Target connection pools closed: reason="limit" (churn past --probe.max_targets) or "idle".',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      const s = stats();
      this.reset();
      this.inc({ reason: 'limit' }, s.evictedLimit);
      this.inc({ reason: 'idle' }, s.evictedIdle);
    },
  });
  return () => registry.getMetricsAsArray() as unknown as Metric[];
}
