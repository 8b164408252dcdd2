/**
 * Families from all collectors of one scrape become one list with one entry per metric name. Two
 * collectors may contribute to one family (e.g. per-query self-metrics) when the type agrees and no
 * series repeats; otherwise the later collector fails as a whole and its output is dropped, so the
 * exposition never has a duplicate series or a family with two types.
 */
import type { CollectorOutcome } from './result.js';
import type { MetricFamily, Sample } from '../model/metrics.js';
import { seriesKey } from '../model/metrics.js';

interface Slot {
  readonly name: string;
  readonly help: string;
  readonly type: MetricFamily['type'];
  /** The first contributor's own array until a second collector adds to the family. */
  samples: readonly Sample[];
  /** Native histograms of the family's contributors (protobuf only). */
  native: MetricFamily['native'];
  shared: boolean;
  /** Series keys, built only once a second collector contributes to this family. */
  keys: Set<string> | undefined;
}

export interface Merged {
  readonly outcomes: CollectorOutcome[];
  readonly families: MetricFamily[];
}

const key = (name: string, s: Sample) => seriesKey(name + (s.suffix ?? ''), s.labels);

function slotKeys(slot: Slot): Set<string> {
  slot.keys ??= new Set(slot.samples.map((s) => key(slot.name, s)));
  return slot.keys;
}

export function mergeOutcomes(outcomes: readonly CollectorOutcome[]): Merged {
  const slots = new Map<string, Slot>();
  const order: Slot[] = [];
  const result: CollectorOutcome[] = [];
  for (const o of outcomes) {
    const clash = o.families.length > 0 ? findClash(o.families, slots) : undefined;
    if (clash) {
      // A failed collector keeps its own error message; only what it still reported is dropped.
      result.push({ ...o, success: false, error: o.success ? clash : (o.error ?? clash), families: [] });
      continue;
    }
    result.push(o);
    for (const f of o.families) {
      const slot = slots.get(f.name);
      if (!slot) {
        const created: Slot = {
          name: f.name,
          help: f.help,
          type: f.type,
          samples: f.samples,
          native: f.native,
          shared: false,
          keys: undefined,
        };
        slots.set(f.name, created);
        order.push(created);
        continue;
      }
      // A second contributor (findClash has built the keys): copy once, then append.
      const keys = slotKeys(slot);
      const samples = slot.shared ? (slot.samples as Sample[]) : [...slot.samples];
      for (const s of f.samples) {
        samples.push(s);
        keys.add(key(f.name, s));
      }
      slot.samples = samples;
      if (f.native) slot.native = [...(slot.native ?? []), ...f.native];
      slot.shared = true;
    }
  }
  return {
    outcomes: result,
    families: order.map((s) => ({
      name: s.name,
      help: s.help,
      type: s.type,
      samples: s.samples,
      ...(s.native ? { native: s.native } : {}),
    })),
  };
}

function findClash(families: readonly MetricFamily[], slots: ReadonlyMap<string, Slot>): string | undefined {
  for (const f of families) {
    const slot = slots.get(f.name);
    if (!slot) continue;
    if (slot.type !== f.type) return `metric ${f.name} is already exported with type ${slot.type}`;
    const keys = slotKeys(slot);
    for (const s of f.samples) {
      if (keys.has(key(f.name, s))) return `metric ${f.name} repeats a series another collector exported`;
    }
  }
  return undefined;
}
