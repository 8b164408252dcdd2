/** Where a server listens: TCP host:port or a unix socket path. Never carries credentials. */
export type Address =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'socket'; readonly path: string };

/** The label-safe identity of an address: `host:port` or `unix:///path`. */
export function addressKey(a: Address): string {
  if (a.kind === 'socket') return `unix://${a.path}`;
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/**
 * Parses `host:port`, `[v6]:port`, `host` (default port), `unix:///path` or `/path`.
 * Returns undefined for anything else (no URLs with credentials, no schemes other than unix).
 */
export function parseAddress(s: string, defaultPort = 3306): Address | undefined {
  const v = s.trim();
  if (v.length === 0 || v.length > 1024) return undefined;
  if (v.startsWith('unix://')) {
    const path = v.slice('unix://'.length);
    return path.startsWith('/') ? { kind: 'socket', path } : undefined;
  }
  if (v.startsWith('/')) return { kind: 'socket', path: v };
  if (/[\s@/?#]/.test(v)) return undefined;
  let host: string;
  let portText: string | undefined;
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(v);
  if (v6) {
    host = v6[1]!;
    portText = v6[2];
  } else {
    const parts = v.split(':');
    if (parts.length > 2) return undefined;
    host = parts[0]!;
    portText = parts[1];
    if (portText === '') return undefined;
  }
  if (!/^[A-Za-z0-9._:-]+$/.test(host) || host.length === 0) return undefined;
  const port = portText === undefined ? defaultPort : Number(portText);
  if (!/^\d*$/.test(portText ?? '') || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  // Host names and IPv6 hex digits are case-insensitive: one spelling, one target pool (and one
  // session budget: `LOCALHOST:3306` must not open a second pool beside `localhost:3306`).
  return { kind: 'tcp', host: host.toLowerCase(), port };
}
