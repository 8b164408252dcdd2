/**
 * `Accept-Encoding` negotiation for the metrics response: gzip when the client accepts it, as
 * Prometheus always says it does (and as mysqld_exporter's client_golang handler answers).
 */

/** True when the header accepts gzip: `gzip` (or `x-gzip`) with a q-value above 0, or `*` when gzip is not named. */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined || header === '') return false;
  let named: boolean | undefined;
  let star = false;
  for (const part of header.split(',')) {
    const [coding = '', ...params] = part.split(';').map((s) => s.trim());
    const name = coding.toLowerCase();
    let q = 1;
    for (const p of params) {
      const m = /^q\s*=\s*([0-9.]+)$/i.exec(p);
      if (m) q = Number(m[1]);
    }
    const ok = Number.isFinite(q) && q > 0;
    if (name === 'gzip' || name === 'x-gzip') named = (named ?? false) || ok;
    else if (name === '*') star = ok;
  }
  return named ?? star;
}
