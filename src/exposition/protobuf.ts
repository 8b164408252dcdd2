/**
 * The Prometheus protobuf exposition (`application/vnd.google.protobuf;
 * proto=io.prometheus.client.MetricFamily; encoding=delimited`): each family one
 * io.prometheus.client.MetricFamily message, preceded by its length as a varint. A small writer of
 * its own (no schema compiler, no message objects): field numbers are those of client_model's
 * metrics.proto, written in field-number order as Go's encoder writes them; repeated numbers packed.
 *
 * Mapping from plain families: counter, gauge and untyped samples are one Metric each; histogram and
 * summary samples are grouped by their labels without `le`/`quantile` into one Metric each, with
 * `_count`, `_sum`, the buckets (the `+Inf` one left out: it is implied by the count) and the
 * quantiles. With `native`, a histogram family that carries native histograms gets them in the same
 * Histogram message (schema, zero bucket, positive spans and deltas) next to its classic buckets;
 * without, the classic histogram alone (Prometheus then stores the classic series).
 */
import type { NativeHistogram } from '../model/native-histogram.js';
import type { Labels, MetricFamily, MetricType, Sample } from '../model/metrics.js';
import { CHUNK_BYTES, type Exposition } from './serialize.js';

/** io.prometheus.client.MetricType */
const TYPE_CODE: Readonly<Record<MetricType, number>> = {
  counter: 0,
  gauge: 1,
  summary: 2,
  untyped: 3,
  histogram: 4,
};

const VARINT = 0;
const FIXED64 = 1;
const LEN = 2;

/** A growing byte buffer with protobuf primitives; nested messages are length-prefixed in place. */
class PbWriter {
  buf = Buffer.allocUnsafe(CHUNK_BYTES);
  pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** A non-negative integer up to 2^53. */
  varint(v: number): void {
    if (v < 0x80 && this.pos < this.buf.length) {
      this.buf[this.pos++] = v;
      return;
    }
    this.ensure(10);
    const b = this.buf;
    let p = this.pos;
    while (v > 0x7f) {
      b[p++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    b[p++] = v;
    this.pos = p;
  }

  /** A bare little-endian double (inside a packed field). */
  rawDouble(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  double(field: number, v: number): void {
    this.tag(field, FIXED64);
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  uint(field: number, v: number): void {
    this.tag(field, VARINT);
    this.varint(v);
  }

  /** sint32/sint64 (zigzag). */
  sint(field: number, v: number): void {
    this.tag(field, VARINT);
    this.varint(zigzag(v));
  }

  string(field: number, s: string): void {
    this.tag(field, LEN);
    const len = s.length;
    if (len < 43) {
      // At most 126 UTF-8 bytes: a one-byte length. ASCII is copied here (cheaper than a call into
      // the UTF-8 encoder for names and label values of a few characters).
      this.ensure(1 + len * 3);
      const b = this.buf;
      const start = this.pos + 1;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[start + i] = c;
      }
      const n = i === len ? len : b.write(s, start, 'utf8');
      b[this.pos] = n;
      this.pos = start + n;
      return;
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.varint(n);
    this.ensure(n);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** Starts a length-prefixed part (a nested message, or a delimited one with field 0): returns its mark. */
  begin(field: number): number {
    if (field > 0) this.tag(field, LEN);
    this.ensure(1);
    return this.pos++;
  }

  /** Ends the part begun at `mark`: writes its length there, moving the content when it takes more bytes. */
  end(mark: number): void {
    const len = this.pos - mark - 1;
    if (len < 0x80) {
      this.buf[mark] = len;
      return;
    }
    let extra = 0;
    for (let v = len; v > 0x7f; v = Math.floor(v / 128)) extra++;
    this.ensure(extra);
    this.buf.copyWithin(mark + 1 + extra, mark + 1, this.pos);
    this.pos += extra;
    let v = len;
    let p = mark;
    while (v > 0x7f) {
      this.buf[p++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[p] = v;
  }
}

export function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

function labelPairs(w: PbWriter, labels: Labels): void {
  for (const k in labels) {
    const m = w.begin(1);
    w.string(1, k);
    w.string(2, `${labels[k]}`);
    w.end(m);
  }
}

/** A count: uint64 when it is one, else the float field that overrides it. */
function count(w: PbWriter, intField: number, floatField: number, v: number): void {
  if (Number.isSafeInteger(v) && v >= 0) w.uint(intField, v);
  else w.double(floatField, v);
}

interface Group {
  readonly labels: Labels;
  count: number;
  sum: number;
  readonly parts: Sample[];
}

/** Histogram or summary samples by their labels without `skip` (`le` or `quantile`), in first-seen order. */
function groups(samples: readonly Sample[], skip: string): Group[] {
  const byKey = new Map<string, Group>();
  for (const s of samples) {
    const key = labelsKey(s.labels, skip);
    let labels: Record<string, string> | undefined;
    let g = byKey.get(key);
    if (g === undefined) {
      if (skip in s.labels) {
        labels = {};
        for (const k in s.labels) if (k !== skip) labels[k] = `${s.labels[k]}`;
      }
      g = { labels: labels ?? s.labels, count: 0, sum: 0, parts: [] };
      byKey.set(key, g);
    }
    if (s.suffix === '_count') g.count = s.value;
    else if (s.suffix === '_sum') g.sum = s.value;
    else g.parts.push(s);
  }
  return [...byKey.values()];
}

/** A label set as a map key (without `skip`). */
export function labelsKey(labels: Labels, skip?: string): string {
  let key = '';
  for (const k in labels) if (k !== skip) key += `${k}\u0000${labels[k]}\u0001`;
  return key;
}

function nativeFields(w: PbWriter, h: NativeHistogram): void {
  w.sint(5, h.schema);
  w.double(6, h.zeroThreshold);
  count(w, 7, 8, h.zeroCount);
  const spans: Array<{ offset: number; length: number }> = [];
  let next = 0;
  for (const b of h.positive) {
    const last = spans[spans.length - 1];
    if (last !== undefined && b.index === next) last.length++;
    else spans.push({ offset: last === undefined ? b.index : b.index - next, length: 1 });
    next = b.index + 1;
  }
  // A histogram with no populated bucket and no zero threshold needs a no-op span to be native.
  if (spans.length === 0 && h.zeroThreshold === 0) spans.push({ offset: 0, length: 0 });
  for (const s of spans) {
    const m = w.begin(12);
    w.sint(1, s.offset);
    w.uint(2, s.length);
    w.end(m);
  }
  const ints = h.positive.every((b) => Number.isSafeInteger(b.count) && b.count >= 0);
  if (h.positive.length === 0) return;
  if (ints) {
    const m = w.begin(13);
    let prev = 0;
    for (const b of h.positive) {
      w.varint(zigzag(b.count - prev));
      prev = b.count;
    }
    w.end(m);
  } else {
    const m = w.begin(14);
    for (const b of h.positive) w.rawDouble(b.count);
    w.end(m);
  }
}

function histogram(w: PbWriter, g: Group, native: NativeHistogram | undefined): void {
  const m = w.begin(7);
  count(w, 1, 4, native?.count ?? g.count);
  w.double(2, native?.sum ?? g.sum);
  for (const b of g.parts) {
    const le = b.labels.le;
    if (b.suffix !== '_bucket' || le === undefined || le === '+Inf') continue;
    const bm = w.begin(3);
    count(w, 1, 4, b.value);
    w.double(2, Number(le));
    w.end(bm);
  }
  if (native !== undefined) nativeFields(w, native);
  w.end(m);
}

function summary(w: PbWriter, g: Group): void {
  const m = w.begin(4);
  // Summary.sample_count is a uint64 with no float twin.
  w.uint(1, Number.isSafeInteger(g.count) && g.count >= 0 ? g.count : Math.max(0, Math.round(g.count)));
  w.double(2, g.sum);
  for (const q of g.parts) {
    const quantile = q.labels.quantile;
    if (quantile === undefined) continue;
    const qm = w.begin(3);
    w.double(1, Number(quantile));
    w.double(2, q.value);
    w.end(qm);
  }
  w.end(m);
}

function family(w: PbWriter, f: MetricFamily, withNative: boolean): void {
  const fm = w.begin(0);
  w.string(1, f.name);
  w.string(2, f.help);
  w.uint(3, TYPE_CODE[f.type]);
  if (f.type === 'histogram' || f.type === 'summary') {
    const native = new Map<string, NativeHistogram>();
    if (withNative) for (const h of f.native ?? []) native.set(labelsKey(h.labels), h);
    for (const g of groups(f.samples, f.type === 'histogram' ? 'le' : 'quantile')) {
      const mm = w.begin(4);
      labelPairs(w, g.labels);
      if (f.type === 'histogram') histogram(w, g, native.get(labelsKey(g.labels)));
      else summary(w, g);
      w.end(mm);
    }
  } else {
    // Gauge, counter and untyped all hold one double as field 1; the Metric field number differs.
    const field = f.type === 'gauge' ? 2 : f.type === 'counter' ? 3 : 5;
    for (const s of f.samples) {
      const mm = w.begin(4);
      labelPairs(w, s.labels);
      const vm = w.begin(field);
      w.double(1, s.value);
      w.end(vm);
      w.end(mm);
    }
  }
  w.end(fm);
}

/** The families as length-delimited MetricFamily messages, in chunks of about CHUNK_BYTES. */
export function protobufChunks(
  families: readonly MetricFamily[],
  opts: { readonly native?: boolean } = {},
): Exposition {
  const withNative = opts.native === true;
  const chunks: Buffer[] = [];
  let byteLength = 0;
  const w = new PbWriter();
  for (const f of families) {
    family(w, f, withNative);
    if (w.pos >= CHUNK_BYTES / 2) {
      chunks.push(w.buf.subarray(0, w.pos));
      byteLength += w.pos;
      w.buf = Buffer.allocUnsafe(CHUNK_BYTES);
      w.pos = 0;
    }
  }
  if (w.pos > 0) {
    chunks.push(Buffer.from(w.buf.subarray(0, w.pos)));
    byteLength += w.pos;
  }
  return { chunks, byteLength };
}
