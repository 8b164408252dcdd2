/**
 * Collects samples into metric families by name, in first-seen order, for collectors whose family
 * set depends on the rows (unknown columns, per-subsystem names). Values that did not parse
 * (undefined) are skipped rather than turned into zeros.
 */
import { CollectorError } from '../errors.js';
import type { Labels, MetricFamily, MetricType, Sample } from '../scrape/types.js';

interface Building {
  readonly help: string;
  readonly type: MetricType;
  readonly samples: Sample[];
}

export class FamilySet {
  private readonly byName = new Map<string, Building>();
  private count = 0;

  add(name: string, type: MetricType, help: string, labels: Labels, value: number | undefined): void {
    if (value === undefined || !Number.isFinite(value)) return;
    let f = this.byName.get(name);
    if (!f) {
      f = { help, type, samples: [] };
      this.byName.set(name, f);
    } else if (f.type !== type) {
      throw new CollectorError(`metric ${name} would be both ${f.type} and ${type}`);
    }
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
