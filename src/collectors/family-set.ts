/**
 * Collects samples into metric families by name, in first-seen order, for collectors whose family
 * set depends on the rows (unknown columns, per-subsystem names). Values that did not parse
 * (undefined) are skipped rather than turned into zeros.
 *
 * Conflicts (one name with two types, or a series added twice): by default an error that fails the
 * collector; with `firstWins`, the first sample stands and later ones are dropped (for server
 * variables whose names collide after sanitising, e.g. `a.b` and `a_b`).
 */
import { CollectorError } from '../errors.js';
import type { Labels, MetricFamily, MetricType, Sample } from '../model/metrics.js';
import { seriesKey } from '../model/metrics.js';

interface Building {
  readonly help: string;
  readonly type: MetricType;
  readonly samples: Sample[];
}

export class FamilySet {
  private readonly byName = new Map<string, Building>();
  private readonly keys = new Set<string>();
  private count = 0;

  constructor(private readonly opts: { readonly firstWins?: boolean } = {}) {}

  add(name: string, type: MetricType, help: string, labels: Labels, value: number | undefined): void {
    if (value === undefined || !Number.isFinite(value)) return;
    const key = seriesKey(name, labels);
    if (this.keys.has(key)) {
      if (this.opts.firstWins) return;
      throw new CollectorError(`metric ${name} would repeat a series`);
    }
    let f = this.byName.get(name);
    if (!f) {
      f = { help, type, samples: [] };
      this.byName.set(name, f);
    } else if (f.type !== type) {
      if (this.opts.firstWins) return;
      throw new CollectorError(`metric ${name} would be both ${f.type} and ${type}`);
    }
    this.keys.add(key);
    f.samples.push({ labels, value });
    this.count++;
  }

  /** Number of samples added so far. */
  get series(): number {
    return this.count;
  }

  families(): MetricFamily[] {
    return [...this.byName].map(([name, f]) => ({ name, help: f.help, type: f.type, samples: f.samples }));
  }
}
