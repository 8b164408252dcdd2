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
  /** Index in the merged list. */
  readonly at: number;
  readonly type: MetricFamily['type'];
  /** Set once a second collector adds to the family: its own copy of the samples. */
  samples: Sample[] | undefined;
  /** Series keys, built only once a second collector contributes to this family. */
  keys: Set<string> | undefined;
}

export interface Merged {
  readonly outcomes: CollectorOutcome[];
  readonly families: MetricFamily[];
}

const key = (name: string, s: Sample) => seriesKey(name + (s.suffix ?? ''), s.labels);

function slotKeys(slot: Slot, families: readonly MetricFamily[]): Set<string> {
  if (slot.keys) return slot.keys;
  const f = families[slot.at]!;
  slot.keys = new Set(f.samples.map((s) => key(f.name, s)));
  return slot.keys;
}

/**
 * A family with one contributor (nearly all) is passed on as the collector returned it; one with
 * several becomes a new family whose samples are the contributors' in order.
 */
export function mergeOutcomes(outcomes: readonly CollectorOutcome[]): Merged {
  const slots = new Map<string, Slot>();
  const families: MetricFamily[] = [];
  const result: CollectorOutcome[] = [];
  for (const o of outcomes) {
    const clash = o.families.length > 0 ? findClash(o.families, slots, families) : undefined;
    if (clash) {
      // A failed collector keeps its own error message; only what it still reported is dropped.
      result.push({ ...o, success: false, error: o.success ? clash : (o.error ?? clash), families: [] });
      continue;
    }
    result.push(o);
    for (const f of o.families) {
      const slot = slots.get(f.name);
      if (!slot) {
        slots.set(f.name, { at: families.length, type: f.type, samples: undefined, keys: undefined });
        families.push(f);
        continue;
      }
      // A second contributor (findClash has built the keys): copy once, then append.
      const keys = slotKeys(slot, families);
      const first = families[slot.at]!;
      const samples = slot.samples ?? [...first.samples];
      for (const s of f.samples) {
        samples.push(s);
        keys.add(key(f.name, s));
      }
      slot.samples = samples;
      const native = first.native || f.native ? [...(first.native ?? []), ...(f.native ?? [])] : undefined;
      families[slot.at] = {
        name: first.name,
        help: first.help,
        type: first.type,
        samples,
        ...(native ? { native } : {}),
      };
    }
  }
  return { outcomes: result, families };
}

function findClash(
  families: readonly MetricFamily[],
  slots: ReadonlyMap<string, Slot>,
  merged: readonly MetricFamily[],
): string | undefined {
  for (const f of families) {
    const slot = slots.get(f.name);
    if (!slot) continue;
    if (slot.type !== f.type) return `metric ${f.name} is already exported with type ${slot.type}`;
    const keys = slotKeys(slot, merged);
    for (const s of f.samples) {
      if (keys.has(key(f.name, s))) return `metric ${f.name} repeats a series another collector exported`;
    }
  }
  return undefined;
}
