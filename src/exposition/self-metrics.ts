/**
 * The exporter's own metrics, served on /metrics only (never on /probe): process and Node.js runtime
 * metrics, build info, config reload status. Kept in a private Registry (never the global one).
 */
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Metric } from 'prom-client';

export interface BuildInfo {
  readonly version: string;
  readonly revision: string;
}

export class SelfMetrics {
  private readonly registry = new Registry();
  private readonly reloadOk: Gauge;
  private readonly reloadTime: Gauge;

  /** `processMetrics: false` when embedded in an app that already exports its own process metrics. */
  constructor(build: BuildInfo, opts: { readonly processMetrics?: boolean } = {}) {
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
    const info = new Gauge({
      name: 'mysql_exporter_build_info',
      help: 'A metric with a constant 1 value labeled by version, revision and nodeversion of mysql-exporter.',
      labelNames: ['version', 'revision', 'nodeversion'],
      registers: [this.registry],
    });
    info.set({ version: build.version, revision: build.revision, nodeversion: process.version }, 1);
    this.reloadOk = new Gauge({
      name: 'mysql_exporter_config_last_reload_successful',
      help: 'Whether the last configuration reload attempt was successful.',
      registers: [this.registry],
    });
    this.reloadTime = new Gauge({
      name: 'mysql_exporter_config_last_reload_success_timestamp_seconds',
      help: 'Timestamp of the last successful configuration reload.',
      registers: [this.registry],
    });
    this.reloaded(true);
  }

  reloaded(ok: boolean): void {
    this.reloadOk.set(ok ? 1 : 0);
    if (ok) this.reloadTime.set(Date.now() / 1000);
  }

  metrics(): Metric[] {
    return (this.registry.getMetricsAsArray() as unknown as Metric[]).map(finiteOnly);
  }
}

/**
 * prom-client's event-loop gauges (`nodejs_eventloop_lag_mean_seconds`, `_stddev_`) are NaN until the
 * first delay sample, i.e. on the first scrape after start-up. The exposition never carries NaN: such
 * samples are left out, as the collectors' are.
 */
function finiteOnly(m: Metric): Metric {
  const live = m as unknown as LiveMetric;
  const wrapped: LiveMetric = {
    name: live.name,
    help: live.help,
    type: live.type,
    aggregator: live.aggregator,
    get: async () => {
      const v = await live.get();
      return { ...v, values: v.values.filter((s) => Number.isFinite(s.value)) };
    },
  };
  return wrapped as unknown as Metric;
}

/** The part of a prom-client metric a Registry reads (not all of it is in the typings). */
interface LiveMetric {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly aggregator: string;
  get(): Promise<{ readonly values: ReadonlyArray<{ readonly value: number }> }>;
}
