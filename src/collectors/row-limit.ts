/**
 * What a collector reports about its row limit. Over its limit a collector serves a deterministic
 * subset (the first rows of its statement's order, e.g. the largest tables) instead of failing, and
 * says so in two ways:
 * - `mysql_exporter_collector_rows_dropped{collector}`: rows left out of this scrape (0 when none), on
 *   every scrape of a limited collector, so that `> 0` can be alerted on;
 * - one log line per target when the collector starts dropping rows (warn), and one when it stops
 *   (info): a server that stays over its limit does not log on every scrape.
 */
import { Lru, PER_TARGET_MAX } from '../lru.js';
import { collectorLabel } from '../model/collector.js';
import type { Logger } from '../model/logger.js';
import type { MetricFamily } from '../model/metrics.js';
import type { QueryResult } from '../model/rows.js';

export const ROWS_DROPPED = 'mysql_exporter_collector_rows_dropped';

/** The self-metric family of one collector (several collectors' samples merge into one family). */
export function rowsDroppedFamily(collector: string, dropped: number): MetricFamily {
  return {
    name: ROWS_DROPPED,
    help: 'Rows a collector left out of the last scrape because of its row or series limit (0 when none).',
    type: 'gauge',
    samples: [{ labels: { collector: collectorLabel(collector) }, value: dropped }],
  };
}

export interface LimitOutcome {
  /** Rows served. */
  readonly kept: number;
  /** Rows left out (a lower bound when `atLeast`). */
  readonly dropped: number;
  readonly atLeast?: boolean;
}

/** Per collector instance: remembers, per target, whether the last scrape was over the limit. */
export class RowLimitReporter {
  private readonly over = new Lru<true>(PER_TARGET_MAX);
  constructor(
    private readonly collector: string,
    /** How to raise the limit, e.g. `--collect.info_schema.tables.max_series`. */
    private readonly raise: string,
  ) {}

  /** Logs a change of state for `targetKey` (nothing while the state holds). */
  note(log: Logger, targetKey: string, outcome: LimitOutcome): void {
    const was = this.over.get(targetKey) !== undefined;
    if (outcome.dropped > 0 && !was) {
      this.over.set(targetKey, true);
      log.warn('row limit reached: serving a subset', {
        collector: this.collector,
        target: targetKey,
        kept: outcome.kept,
        dropped: `${outcome.atLeast ? '>=' : ''}${outcome.dropped}`,
        raise: this.raise,
      });
    } else if (outcome.dropped === 0 && was) {
      this.over.delete(targetKey);
      log.info('row limit no longer reached', { collector: this.collector, target: targetKey });
    }
  }

  /** `note`, and the self-metric family. */
  report(log: Logger, targetKey: string, outcome: LimitOutcome): MetricFamily {
    this.note(log, targetKey, outcome);
    return rowsDroppedFamily(this.collector, outcome.dropped);
  }

  /** `report` for a statement run with `maxRows`: its rows kept, dropped and whether it was cut off. */
  reportResult(log: Logger, targetKey: string, res: QueryResult): MetricFamily {
    return this.report(log, targetKey, {
      kept: res.rows.length,
      dropped: res.dropped ?? 0,
      atLeast: res.cutOff === true,
    });
  }
}
