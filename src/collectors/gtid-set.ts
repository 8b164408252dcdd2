/**
 * MySQL GTID sets (`uuid:1-5:7,uuid2[:tag]:1-3`, as in @@gtid_executed and
 * replication_connection_status.RECEIVED_TRANSACTION_SET): parsing and the number of transactions in
 * one set that are not in another (what a replica has received but not applied yet).
 */

/** Intervals per source (uuid, or uuid:tag on MySQL 8.3+), inclusive, as the server prints them. */
export type GtidSet = ReadonlyMap<string, ReadonlyArray<readonly [number, number]>>;

const INTERVAL = /^(\d+)(?:-(\d+))?$/;

/** Parses a GTID set; undefined when any part is malformed. Whitespace (MySQL prints newlines) is ignored. */
export function parseGtidSet(text: string): GtidSet | undefined {
  const out = new Map<string, Array<readonly [number, number]>>();
  const clean = text.replace(/\s+/g, '');
  if (clean === '') return out;
  for (const part of clean.split(',')) {
    const fields = part.split(':');
    const uuid = fields.shift()?.toLowerCase() ?? '';
    if (!/^[0-9a-f-]{32,36}$/.test(uuid)) return undefined;
    let source = uuid;
    for (const f of fields) {
      const m = INTERVAL.exec(f);
      if (!m) {
        // A tag (MySQL 8.3+): names the following intervals' source.
        if (!/^[a-z_][a-z0-9_]{0,31}$/i.test(f)) return undefined;
        source = `${uuid}:${f.toLowerCase()}`;
        continue;
      }
      const lo = Number(m[1]);
      const hi = m[2] === undefined ? lo : Number(m[2]);
      if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi < lo) return undefined;
      const list = out.get(source) ?? [];
      list.push([lo, hi]);
      out.set(source, list);
    }
  }
  return out;
}

/** How many transactions of `a` are not in `b`. */
export function countMissing(a: GtidSet, b: GtidSet): number {
  let n = 0;
  for (const [source, intervals] of a) {
    const have = [...(b.get(source) ?? [])].sort((x, y) => x[0] - y[0]);
    for (const [lo, hi] of intervals) {
      let count = hi - lo + 1;
      for (const [blo, bhi] of have) {
        const from = Math.max(lo, blo);
        const to = Math.min(hi, bhi);
        if (to >= from) count -= to - from + 1;
      }
      n += Math.max(0, count);
    }
  }
  return n;
}
