/** What a scrape is: one outcome per collector that ran, and the round's result. */
import type { MetricFamily } from '../model/metrics.js';
import type { ServerInfo } from '../model/server-info.js';

export interface CollectorOutcome {
  readonly name: string;
  readonly success: boolean;
  readonly durationSeconds: number;
  readonly error?: string;
  readonly families: readonly MetricFamily[];
}

export interface ScrapeResult {
  readonly up: boolean;
  readonly connectSeconds: number;
  readonly server?: ServerInfo;
  readonly error?: string;
  readonly outcomes: readonly CollectorOutcome[];
  /** Every collector's families merged: one entry per metric name, no duplicate series. */
  readonly families: readonly MetricFamily[];
}
