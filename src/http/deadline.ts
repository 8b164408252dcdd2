/**
 * The scrape deadline: Prometheus' X-Prometheus-Scrape-Timeout-Seconds minus --timeout-offset.
 * Unlike mysqld_exporter, a missing, malformed or too-small header never means "no deadline": the
 * configured default applies, and the header can only shorten it: `maxSeconds` (--exporter.scrape_timeout)
 * caps it, as --help says.
 */
import type { DeadlineSettings } from '../config/deadline.js';

export interface Deadline {
  readonly seconds: number;
  readonly source: 'header' | 'default';
}

const HEADER_VALUE = /^\d+(\.\d+)?$/;

export function scrapeDeadline(header: string | undefined, s: DeadlineSettings): Deadline {
  if (header !== undefined && HEADER_VALUE.test(header.trim())) {
    const timeout = Number(header.trim());
    const seconds = Math.min(timeout, s.maxSeconds) - s.offsetSeconds;
    if (Number.isFinite(seconds) && seconds > 0) return { seconds, source: 'header' };
  }
  return { seconds: Math.max(0.05, s.defaultSeconds - s.offsetSeconds), source: 'default' };
}
