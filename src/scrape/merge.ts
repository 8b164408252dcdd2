/**
 * Families from all collectors of one scrape become one list with one entry per metric name. Two
 * collectors may contribute to one family (e.g. per-query self-metrics) when the type agrees and no
 * series repeats; otherwise the later collector fails as a whole and its output is dropped, so the
 * exposition never has a duplicate series or a family with two types.
 */
import type { CollectorOutcome } from './orchestrator.js';
import type { MetricFamily, Sample } from './types.js';
import { seriesKey } from './validate.js';

interface Slot {
  readonly name: string;
  readonly help: string;
  readonly type: MetricFamily['type'];
  readonly samples: Sample[];
  readonly keys: Set<string>;
}

export interface Merged {
  readonly outcomes: CollectorOutcome[];
  readonly families: MetricFamily[];
}

export function mergeOutcomes(outcomes: readonly CollectorOutcome[]): Merged {
  const slots = new Map<string, Slot>();
  const order: Slot[] = [];
  const result: CollectorOutcome[] = [];
  for (const o of outcomes) {
    const clash = o.success ? findClash(o.families, slots) : undefined;
    if (clash) {
      result.push({ ...o, success: false, error: clash, families: [] });
      continue;
    }
    result.push(o);
    for (const f of o.families) {
      let slot = slots.get(f.name);
      if (!slot) {
        slot = { name: f.name, help: f.help, type: f.type, samples: [], keys: new Set() };
        slots.set(f.name, slot);
        order.push(slot);
      }
      for (const s of f.samples) {
        slot.samples.push(s);
        slot.keys.add(seriesKey(f.name + (s.suffix ?? ''), s.labels));
      }
    }
  }
  return {
    outcomes: result,
    families: order.map((s) => ({ name: s.name, help: s.help, type: s.type, samples: s.samples })),
  };
}

function findClash(families: readonly MetricFamily[], slots: ReadonlyMap<string, Slot>): string | undefined {
  for (const f of families) {
    const slot = slots.get(f.name);
    if (!slot) continue;
    if (slot.type !== f.type) return `metric ${f.name} is already exported with type ${slot.type}`;
    for (const s of f.samples) {
      if (slot.keys.has(seriesKey(f.name + (s.suffix ?? ''), s.labels)))
        return `metric ${f.name} repeats a series another collector exported`;
    }
  }
  return undefined;
}
