/**
 * `Accept` negotiation for /metrics and /probe, by client_golang's rules (expfmt's
 * NegotiateIncludingOpenMetrics, which promhttp uses when OpenMetrics is enabled): the media ranges
 * are ordered by q-value (highest first; on a tie, the order given, and a concrete type before a
 * wildcard), and the first one we can write wins:
 * - `application/vnd.google.protobuf` with `proto=io.prometheus.client.MetricFamily` and
 *   `encoding=delimited` (other protobuf encodings are not offered, so the search goes on);
 * - `text/plain` with `version=0.0.4` or no version;
 * - `application/openmetrics-text` with `version=1.0.0`, `0.0.1` or no version.
 * Nothing usable (no header, `*\/*`, `text/html`...) gives the classic text. One difference from
 * client_golang: a range with `q=0` is "not acceptable" (RFC 9110) and never chosen.
 *
 * Prometheus 2.42 sends
 * `application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*\/*;q=0.1`
 * and, with `--enable-feature=native-histograms`, protobuf first at q=1 and OpenMetrics 1.0.0 at q=0.8.
 */
import {
  type NegotiatedFormat,
  OPENMETRICS_0_CONTENT_TYPE,
  OPENMETRICS_1_CONTENT_TYPE,
  PROTOBUF_CONTENT_TYPE,
  TEXT_FORMAT,
} from '../exposition/format.js';

interface MediaRange {
  readonly type: string;
  readonly params: ReadonlyMap<string, string>;
  readonly q: number;
  readonly wildcard: boolean;
}

/** Longest Accept header looked at (Node caps all headers at 16 KiB anyway). */
const MAX_ACCEPT = 4096;

function parseRange(part: string): MediaRange | undefined {
  const [media = '', ...rest] = part.split(';');
  const type = media.trim().toLowerCase();
  if (!/^[^/\s]+\/[^/\s]+$/.test(type) && type !== '*') return undefined;
  const params = new Map<string, string>();
  let q = 1;
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const key = p.slice(0, eq).trim().toLowerCase();
    const value = p
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (key === 'q') {
      const n = Number(value);
      q = value !== '' && Number.isFinite(n) ? Math.min(Math.max(n, 0), 1) : 0;
    } else params.set(key, value);
  }
  return { type, params, q, wildcard: type === '*' || type.endsWith('/*') };
}

const OPENMETRICS: Readonly<Record<string, string>> = {
  '': OPENMETRICS_1_CONTENT_TYPE,
  '1.0.0': OPENMETRICS_1_CONTENT_TYPE,
  '0.0.1': OPENMETRICS_0_CONTENT_TYPE,
};

function formatOf(r: MediaRange): NegotiatedFormat | undefined {
  const version = r.params.get('version') ?? '';
  switch (r.type) {
    case 'application/vnd.google.protobuf':
      return r.params.get('proto') === 'io.prometheus.client.MetricFamily' &&
        r.params.get('encoding') === 'delimited'
        ? { format: 'protobuf', contentType: PROTOBUF_CONTENT_TYPE }
        : undefined;
    case 'text/plain':
      return version === '' || version === '0.0.4' ? TEXT_FORMAT : undefined;
    case 'application/openmetrics-text': {
      const contentType = OPENMETRICS[version];
      return contentType === undefined ? undefined : { format: 'openmetrics', contentType };
    }
    default:
      return undefined;
  }
}

/** The format to answer an `Accept` header with. */
export function negotiateFormat(accept: string | undefined): NegotiatedFormat {
  if (accept === undefined || accept === '') return TEXT_FORMAT;
  const ranges: MediaRange[] = [];
  for (const part of accept.slice(0, MAX_ACCEPT).split(',')) {
    const r = parseRange(part);
    if (r !== undefined && r.q > 0) ranges.push(r);
  }
  // Array.prototype.sort is stable: equal ranges keep the client's order.
  ranges.sort((a, b) => b.q - a.q || Number(a.wildcard) - Number(b.wildcard));
  for (const r of ranges) {
    const f = formatOf(r);
    if (f !== undefined) return f;
  }
  return TEXT_FORMAT;
}
