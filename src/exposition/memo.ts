/**
 * What the callers of one scrape round share (single-flight: concurrent scrapes of one target join one
 * round): its families' text by content type, and whole responses by content type, live metric names
 * and encoding. The HTTP layer owns one ExpositionMemo and hands `render.ts` the RoundMemo of the
 * round it renders; nothing is found through the families array.
 */
import type { Exposition } from './serialize.js';

export class RoundMemo {
  /** The families' own text by content type. */
  readonly texts = new Map<string, Exposition>();
  /** Whole responses (the same live metrics in front) by content type, live metric names, encoding. */
  readonly outputs = new Map<string, Promise<Exposition>>();
}

/** One RoundMemo per round, keyed by the object that identifies the round (its result), held weakly. */
export class ExpositionMemo {
  private readonly rounds = new WeakMap<object, RoundMemo>();

  of(round: object): RoundMemo {
    let m = this.rounds.get(round);
    if (m === undefined) {
      m = new RoundMemo();
      this.rounds.set(round, m);
    }
    return m;
  }
}

/** The value of `key` in `map`, made once. */
export function memo<V>(map: Map<string, V>, key: string, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}
