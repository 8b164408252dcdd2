import type { Exposition } from '../exposition/serialize.js';
import type { MetricFamily } from '../model/metrics.js';

/**
 * Output derived from one scrape result (its families with the scrape's own, their text), computed
 * by the first caller and reused by every other caller that joined the same round.
 */
export class DerivedOutput {
  families: readonly MetricFamily[] | undefined = undefined;
  /** Rendered text of `families` by content type. */
  readonly texts = new Map<string, Exposition>();
  /** Whole responses (with the same live metrics in front) by content type and live metric names. */
  readonly outputs = new Map<string, Promise<Exposition>>();
}
