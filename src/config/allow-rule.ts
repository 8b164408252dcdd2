/**
 * The syntax of the /probe target allow-list (`--probe.allow`, repeatable); src/http/probe-allow.ts
 * decides with it. Deny by default: with no pattern, every probe is refused. Patterns:
 * - `host:port` or `[v6]:port`: exactly that target;
 * - `host` or `*.example.com` (optionally `:port`): a host name, `*.` matching one or more labels;
 * - `10.0.0.0/8`, `fd00::/8`, `127.0.0.1/32:3306`, `[::1]/128:3306`: IP literals in a CIDR block;
 * - `unix:///path/mysqld.sock`: that socket path exactly.
 * Names match names only (no DNS look-up here); CIDR blocks match IP literals only. Targets whose host
 * is a numeric form other than a canonical address (`2130706433`, `0x7f.1`, `127.1`) are refused
 * outright, since the resolver would turn them into addresses no pattern names.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type AllowRule =
  | { readonly kind: 'exact'; readonly host: string; readonly port: number }
  | { readonly kind: 'name'; readonly pattern: RegExp; readonly port: number | undefined }
  | {
      readonly kind: 'cidr';
      readonly family: 4 | 6;
      readonly bits: bigint;
      readonly prefix: number;
      readonly port: number | undefined;
    }
  | { readonly kind: 'socket'; readonly path: string };

const HOST_NAME =
  /^(?:\*\.)?(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function ipBits(ip: string): { family: 4 | 6; bits: bigint } | undefined {
  if (isIPv4(ip)) {
    const parts = ip.split('.').map(Number);
    return { family: 4, bits: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n) };
  }
  if (isIPv6(ip)) {
    let text = ip;
    // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
    const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
    if (v4) {
      const b = ipBits(v4[1]!);
      if (!b) return undefined;
      text = `${text.slice(0, -v4[1]!.length)}${(b.bits >> 16n).toString(16)}:${(b.bits & 0xffffn).toString(16)}`;
    }
    const [head, tail] = text.split('::') as [string, string | undefined];
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
    if (groups.length !== 8) return undefined;
    return { family: 6, bits: groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g, 16)), 0n) };
  }
  return undefined;
}

/** A canonical IP literal, or a host name; undefined for ambiguous numeric forms. */
export function classifyHost(host: string): 'ip' | 'name' | undefined {
  if (isIPv4(host) || isIPv6(host)) return 'ip';
  // A numeric last label is never a real name: inet_aton shorthands (127.1, 2130706433, 0x7f.1).
  const last = host.slice(host.lastIndexOf('.') + 1);
  if (/^(?:0x[0-9a-f]*|\d+)$/i.test(last)) return undefined;
  return HOST_NAME.test(host) && !host.startsWith('*') ? 'name' : undefined;
}

function parsePort(s: string | undefined): number | undefined | null {
  if (s === undefined) return undefined;
  if (!/^\d{1,5}$/.test(s)) return null;
  const n = Number(s);
  return n >= 1 && n <= 65535 ? n : null;
}

/** Parses one pattern; returns an error message for a bad one. */
export function parseAllowRule(raw: string): AllowRule | string {
  const p = raw.trim();
  if (p.startsWith('unix://')) {
    const path = p.slice('unix://'.length);
    return path.startsWith('/') ? { kind: 'socket', path } : 'a unix socket pattern needs an absolute path';
  }
  // [v6]/prefix:port, [v6]:port, v4/prefix:port, v6/prefix (no port), host:port, host.
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?:\/(\d{1,3}))?(?::(\d+))?$/.exec(p);
  const v6 = /^([0-9a-fA-F:]*:[0-9a-fA-F:.]*)(?:\/(\d{1,3}))?$/.exec(p);
  const v4 = /^(\d+\.\d+\.\d+\.\d+)(?:\/(\d{1,2}))?(?::(\d+))?$/.exec(p);
  const named = /^([^:/]+)(?::(\d+))?$/.exec(p);
  let ip: string | undefined;
  let prefix: string | undefined;
  let portText: string | undefined;
  let host: string | undefined;
  if (bracketed) [, ip, prefix, portText] = bracketed;
  else if (v6) [, ip, prefix] = v6;
  else if (v4) [, ip, prefix, portText] = v4;
  else if (named) [, host, portText] = named;
  else return 'not a host:port, host name pattern, CIDR block or unix:// path';
  const port = parsePort(portText);
  if (port === null) return 'invalid port';
  if (ip !== undefined) {
    const b = ipBits(ip);
    if (!b) return 'invalid IP address';
    const max = b.family === 4 ? 32 : 128;
    const n = prefix === undefined ? max : Number(prefix);
    if (n > max) return `prefix longer than ${max} bits`;
    if (prefix === undefined && port !== undefined) return { kind: 'exact', host: ip, port };
    return { kind: 'cidr', family: b.family, bits: b.bits, prefix: n, port };
  }
  if (!host || !HOST_NAME.test(host)) return 'invalid host name pattern';
  if (!host.startsWith('*') && port !== undefined) return { kind: 'exact', host: host.toLowerCase(), port };
  const body = host.replace(/^\*\./, '').toLowerCase().replace(/[.]/g, '\\.');
  const pattern = new RegExp(host.startsWith('*.') ? `^(?:[a-z0-9-]+\\.)+${body}$` : `^${body}$`);
  return { kind: 'name', pattern, port };
}
