/**
 * `--web.config.file`: exporter-toolkit's web configuration YAML (TLS, basic auth, security headers,
 * rate limit), parsed strictly into a typed object, or one ConfigError listing every problem with
 * file:line:key. Pure: no file is read here (see web-config-load.ts for the certificate files).
 * Messages never quote a hash, a key or a password.
 */
import { dirname, resolve } from 'node:path';
import { type SecureVersion, createSecureContext } from 'node:tls';
import { LineCounter, type Node, type Pair, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { ConfigError, type ConfigProblem, errorMessage } from '../errors.js';
import { bcryptCost } from './basic-auth.js';
import {
  CIPHER_SUITES,
  CLIENT_AUTH_TYPES,
  CURVES,
  type ClientAuthType,
  TLS_VERSIONS,
  compareTlsVersions,
  isClientAuthType,
} from './tls-names.js';

/** A PEM value: a file (absolute path, re-read on change) or inline text. */
export type PemRef =
  | { readonly kind: 'file'; readonly path: string; readonly key: string; readonly line: number | undefined }
  | {
      readonly kind: 'inline';
      readonly pem: string;
      readonly key: string;
      readonly line: number | undefined;
    };

export interface TlsSpec {
  readonly cert: PemRef;
  readonly key: PemRef;
  readonly clientCa: PemRef | undefined;
  readonly clientAuthType: ClientAuthType;
  readonly minVersion: SecureVersion;
  readonly maxVersion: SecureVersion;
  /** OpenSSL cipher list for TLS 1.2 and below; undefined keeps Node's defaults. */
  readonly ciphers: string | undefined;
  /** OpenSSL group list (`P-256:X25519`); undefined keeps Node's defaults. */
  readonly ecdhCurve: string | undefined;
  readonly honorCipherOrder: boolean;
  readonly clientAllowedSans: readonly string[];
  readonly line: number | undefined;
}

export interface RateLimitSpec {
  readonly intervalMs: number;
  readonly burst: number;
}

export interface WebConfigSpec {
  /** The config file's absolute path. */
  readonly source: string;
  readonly tls: TlsSpec | undefined;
  readonly http2: boolean;
  /** Extra response headers, already validated against the allow-list. */
  readonly headers: readonly (readonly [string, string])[];
  /** user -> bcrypt hash; empty means no authentication. */
  readonly users: ReadonlyMap<string, string>;
  readonly rateLimit: RateLimitSpec | undefined;
}

/** Headers that may be configured, and the values allowed (undefined: any value). */
const ALLOWED_HEADERS: ReadonlyMap<string, readonly string[] | undefined> = new Map([
  ['Content-Security-Policy', undefined],
  ['X-Frame-Options', ['deny', 'sameorigin']],
  ['X-Content-Type-Options', ['nosniff']],
  ['X-XSS-Protection', undefined],
  ['Strict-Transport-Security', undefined],
]);

const TOP_KEYS = ['tls_server_config', 'http_server_config', 'basic_auth_users', 'rate_limit'] as const;
const TLS_KEYS = [
  'cert',
  'key',
  'client_ca',
  'cert_file',
  'key_file',
  'client_auth_type',
  'client_ca_file',
  'client_allowed_sans',
  'min_version',
  'max_version',
  'cipher_suites',
  'prefer_server_cipher_suites',
  'curve_preferences',
] as const;
const HTTP_KEYS = ['http2', 'headers'] as const;
const RATE_KEYS = ['interval', 'burst'] as const;

/** Every key the web config accepts, as `section.key` (top-level keys alone). */
export const WEB_CONFIG_KEYS: readonly string[] = [
  ...TOP_KEYS,
  ...TLS_KEYS.map((k) => `tls_server_config.${k}`),
  ...HTTP_KEYS.map((k) => `http_server_config.${k}`),
  ...RATE_KEYS.map((k) => `rate_limit.${k}`),
];

/** One line per key, for the README's generated reference (test/unit/config/reference.test.ts). */
export const WEB_CONFIG_KEY_HELP: Readonly<Record<string, string>> = {
  tls_server_config: 'Serve HTTPS. Without it, plain HTTP.',
  http_server_config: 'HTTP server settings.',
  basic_auth_users: 'Map of user name to bcrypt hash; every request then needs basic auth.',
  rate_limit: 'Token-bucket limit over all requests; excess requests get 429.',
  'tls_server_config.cert': 'Server certificate, inline PEM (or use cert_file).',
  'tls_server_config.key': 'Server private key, inline PEM (or use key_file).',
  'tls_server_config.client_ca': 'CA for client certificates, inline PEM (or use client_ca_file).',
  'tls_server_config.cert_file': 'Server certificate file; re-read when it changes.',
  'tls_server_config.key_file': 'Server private key file; re-read when it changes.',
  'tls_server_config.client_auth_type':
    'NoClientCert (default), RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert.',
  'tls_server_config.client_ca_file': 'CA file for client certificates; needs a verifying client_auth_type.',
  'tls_server_config.client_allowed_sans':
    'Client certificate SANs that are accepted (needs RequireAndVerifyClientCert).',
  'tls_server_config.min_version': 'Lowest TLS version, TLS10 to TLS13 (default TLS12).',
  'tls_server_config.max_version': 'Highest TLS version (default TLS13).',
  'tls_server_config.cipher_suites': 'Allowed TLS 1.2 cipher suites, by Go name.',
  'tls_server_config.prefer_server_cipher_suites': 'Prefer the server order of cipher suites.',
  'tls_server_config.curve_preferences':
    'Key-exchange curves, by Go name (CurveP256, CurveP384, CurveP521, X25519).',
  'http_server_config.http2': 'Accepted for compatibility; HTTP/1.1 is served.',
  'http_server_config.headers':
    'Security headers on every response: Content-Security-Policy, X-Frame-Options, X-Content-Type-Options, X-XSS-Protection, Strict-Transport-Security.',
  'rate_limit.interval': 'Time between tokens, e.g. 1s.',
  'rate_limit.burst': 'Bucket size.',
};

class Ctx {
  readonly problems: ConfigProblem[] = [];
  constructor(
    readonly source: string,
    readonly lc: LineCounter,
  ) {}
  line(node: unknown): number | undefined {
    const range = (node as { range?: readonly number[] } | null)?.range;
    const at = range?.[0];
    return at === undefined ? undefined : this.lc.linePos(at).line;
  }
  add(node: unknown, key: string | undefined, message: string): void {
    const line = this.line(node);
    this.problems.push({
      source: this.source,
      ...(line === undefined ? {} : { line }),
      ...(key === undefined ? {} : { key }),
      message,
    });
  }
}

/** The pairs of a mapping, with each key as a string; reports non-string keys and unknown keys. */
function entries(
  ctx: Ctx,
  node: unknown,
  path: string,
  known: readonly string[] | undefined,
): Array<{ name: string; key: string; pair: Pair<unknown, unknown>; value: unknown }> {
  if (node === null || node === undefined) return [];
  if (isScalar(node) && node.value === null) return [];
  if (!isMap(node)) {
    ctx.add(node, path || undefined, 'expected a mapping');
    return [];
  }
  const out: Array<{ name: string; key: string; pair: Pair<unknown, unknown>; value: unknown }> = [];
  for (const pair of node.items) {
    const k = pair.key;
    if (!isScalar(k) || typeof k.value !== 'string') {
      ctx.add(k, path || undefined, 'keys must be plain strings (quote numbers and booleans)');
      continue;
    }
    const name = k.value;
    const key = path ? `${path}.${name}` : name;
    if (known && !known.includes(name)) {
      ctx.add(k, key, `unknown key (expected one of: ${known.join(', ')})`);
      continue;
    }
    out.push({ name, key, pair, value: pair.value });
  }
  return out;
}

function isNull(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

/** A string value; null/empty means unset (undefined). */
function str(ctx: Ctx, node: unknown, key: string): string | undefined {
  if (isNull(node)) return undefined;
  if (isScalar(node) && typeof node.value === 'string') return node.value === '' ? undefined : node.value;
  ctx.add(node, key, 'expected a string');
  return undefined;
}

function bool(ctx: Ctx, node: unknown, key: string): boolean | undefined {
  if (isNull(node)) return undefined;
  if (isScalar(node) && typeof node.value === 'boolean') return node.value;
  ctx.add(node, key, 'expected true or false');
  return undefined;
}

/** A list of strings, each with its node (for line numbers). */
function strList(ctx: Ctx, node: unknown, key: string): Array<{ value: string; node: unknown; key: string }> {
  if (isNull(node)) return [];
  if (!isSeq(node)) {
    ctx.add(node, key, 'expected a list');
    return [];
  }
  const out: Array<{ value: string; node: unknown; key: string }> = [];
  node.items.forEach((item, i) => {
    const k = `${key}[${i}]`;
    if (isScalar(item) && typeof item.value === 'string') out.push({ value: item.value, node: item, key: k });
    else ctx.add(item, k, 'expected a string');
  });
  return out;
}

/** Go's time.ParseDuration subset: `0`, or a sequence like `1h30m`, `500ms`, `1.5s`. */
export function parseGoDuration(s: string): number | undefined {
  if (s === '0') return 0;
  const units: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    μs: 1e-3,
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
  };
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let ms = 0;
  let at = 0;
  while (at < s.length) {
    re.lastIndex = at;
    const m = re.exec(s);
    if (!m) return undefined;
    ms += Number(m[1]) * (units[m[2] ?? ''] ?? Number.NaN);
    at = re.lastIndex;
  }
  return at === 0 || !Number.isFinite(ms) ? undefined : ms;
}

function pemRef(
  ctx: Ctx,
  dir: string,
  node: unknown,
  key: string,
  kind: 'file' | 'inline',
): PemRef | undefined {
  const v = str(ctx, node, key);
  if (v === undefined) return undefined;
  const line = ctx.line(node);
  return kind === 'file'
    ? { kind: 'file', path: resolve(dir, v), key, line }
    : { kind: 'inline', pem: v, key, line };
}

/** Whether Node's OpenSSL accepts a cipher list or group list; the reason when it does not. */
function opensslRefuses(opts: { ciphers?: string; ecdhCurve?: string }): string | undefined {
  try {
    createSecureContext(opts);
    return undefined;
  } catch (err) {
    return errorMessage(err);
  }
}

function parseTls(ctx: Ctx, node: unknown, dir: string, section: unknown): TlsSpec | undefined {
  const items = entries(ctx, node, 'tls_server_config', TLS_KEYS);
  if (items.length === 0) return undefined;
  const before = ctx.problems.length;
  const get = (name: string) => items.find((i) => i.name === name);
  const ref = (inline: string, file: string): { ref: PemRef | undefined; both: boolean } => {
    const a = get(inline);
    const b = get(file);
    const ra = a ? pemRef(ctx, dir, a.value, a.key, 'inline') : undefined;
    const rb = b ? pemRef(ctx, dir, b.value, b.key, 'file') : undefined;
    if (ra && rb) {
      ctx.add(a?.pair.key, a?.key, `${inline} and ${file} are mutually exclusive`);
      return { ref: rb, both: true };
    }
    return { ref: ra ?? rb, both: false };
  };
  const cert = ref('cert', 'cert_file');
  const key = ref('key', 'key_file');
  const ca = ref('client_ca', 'client_ca_file');

  let clientAuthType: ClientAuthType = 'NoClientCert';
  let authItem: (typeof items)[number] | undefined;
  let minVersion: SecureVersion = 'TLSv1.2';
  let maxVersion: SecureVersion = 'TLSv1.3';
  let minItem: (typeof items)[number] | undefined;
  const ciphers: string[] = [];
  let ciphersItem: (typeof items)[number] | undefined;
  const curves: string[] = [];
  let honorCipherOrder = true;
  let sans: string[] = [];
  let sansItem: (typeof items)[number] | undefined;

  for (const item of items) {
    switch (item.name) {
      case 'client_auth_type': {
        const v = str(ctx, item.value, item.key);
        if (v === undefined) break;
        authItem = item;
        if (isClientAuthType(v)) clientAuthType = v;
        else
          ctx.add(
            item.value,
            item.key,
            `unknown client_auth_type (expected one of: ${CLIENT_AUTH_TYPES.join(', ')})`,
          );
        break;
      }
      case 'min_version':
      case 'max_version': {
        const v = str(ctx, item.value, item.key);
        if (v === undefined) break;
        const version = TLS_VERSIONS.get(v);
        if (!version) {
          ctx.add(
            item.value,
            item.key,
            `unknown TLS version (expected one of: ${[...TLS_VERSIONS.keys()].join(', ')})`,
          );
          break;
        }
        if (item.name === 'min_version') {
          minVersion = version;
          minItem = item;
        } else maxVersion = version;
        break;
      }
      case 'cipher_suites': {
        ciphersItem = item;
        for (const c of strList(ctx, item.value, item.key)) {
          const mapped = CIPHER_SUITES.get(c.value);
          if (mapped === undefined) ctx.add(c.node, c.key, 'unknown cipher suite (use Go crypto/tls names)');
          else if (mapped !== null) ciphers.push(mapped);
        }
        break;
      }
      case 'curve_preferences': {
        for (const c of strList(ctx, item.value, item.key)) {
          const mapped = CURVES.get(c.value);
          if (mapped === undefined)
            ctx.add(c.node, c.key, `unknown curve (expected one of: ${[...CURVES.keys()].join(', ')})`);
          else if (opensslRefuses({ ecdhCurve: mapped }) !== undefined)
            ctx.add(c.node, c.key, `curve not supported by this Node.js build's OpenSSL`);
          else curves.push(mapped);
        }
        break;
      }
      case 'prefer_server_cipher_suites':
        honorCipherOrder = bool(ctx, item.value, item.key) ?? true;
        break;
      case 'client_allowed_sans':
        sansItem = item;
        sans = strList(ctx, item.value, item.key).map((s) => s.value);
        break;
      default:
        break;
    }
  }

  const tlsLine = ctx.line(section);
  if (!cert.ref && !cert.both)
    ctx.add(
      section,
      'tls_server_config.cert_file',
      'missing: TLS needs cert_file (or cert) and key_file (or key)',
    );
  if (!key.ref && !key.both)
    ctx.add(
      section,
      'tls_server_config.key_file',
      'missing: TLS needs cert_file (or cert) and key_file (or key)',
    );
  const policyNeedsCa =
    clientAuthType === 'VerifyClientCertIfGiven' || clientAuthType === 'RequireAndVerifyClientCert';
  if (ca.ref && clientAuthType === 'NoClientCert')
    ctx.add(
      get('client_ca_file')?.pair.key ?? get('client_ca')?.pair.key,
      ca.ref.key,
      'a client CA is set without a client_auth_type (use RequireAndVerifyClientCert)',
    );
  if (policyNeedsCa && !ca.ref)
    ctx.add(authItem?.value, authItem?.key, `${clientAuthType} needs client_ca_file (or client_ca)`);
  if (sans.length > 0 && clientAuthType !== 'RequireAndVerifyClientCert')
    ctx.add(
      sansItem?.pair.key,
      sansItem?.key,
      'client_allowed_sans needs client_auth_type RequireAndVerifyClientCert (the SANs of an unverified or absent certificate prove nothing)',
    );
  if (compareTlsVersions(minVersion, maxVersion) > 0)
    ctx.add(minItem?.value, minItem?.key, 'min_version is newer than max_version');
  const cipherList = ciphers.length > 0 ? ciphers.join(':') : undefined;
  if (cipherList !== undefined && opensslRefuses({ ciphers: cipherList }) !== undefined)
    ctx.add(
      ciphersItem?.pair.key,
      ciphersItem?.key,
      `none of these cipher suites is available in Node.js's OpenSSL`,
    );

  if (ctx.problems.length > before || !cert.ref || !key.ref) return undefined;
  return {
    cert: cert.ref,
    key: key.ref,
    clientCa: ca.ref,
    clientAuthType,
    minVersion,
    maxVersion,
    ciphers: cipherList,
    ecdhCurve: curves.length > 0 ? curves.join(':') : undefined,
    honorCipherOrder,
    clientAllowedSans: sans,
    line: tlsLine,
  };
}

function parseHttp(ctx: Ctx, node: unknown): { http2: boolean; headers: Array<[string, string]> } {
  let http2 = true;
  const headers: Array<[string, string]> = [];
  for (const item of entries(ctx, node, 'http_server_config', HTTP_KEYS)) {
    if (item.name === 'http2') http2 = bool(ctx, item.value, item.key) ?? true;
    else {
      for (const h of entries(ctx, item.value, item.key, undefined)) {
        const allowed = ALLOWED_HEADERS.get(h.name);
        if (!ALLOWED_HEADERS.has(h.name)) {
          ctx.add(
            h.pair.key,
            h.key,
            `header cannot be configured (allowed: ${[...ALLOWED_HEADERS.keys()].join(', ')})`,
          );
          continue;
        }
        const v = str(ctx, h.value, h.key);
        if (v === undefined) continue;
        if (allowed && !allowed.includes(v)) {
          ctx.add(h.value, h.key, `invalid value (expected one of: ${allowed.join(', ')})`);
          continue;
        }
        if (/[\r\n\0]/.test(v)) {
          ctx.add(h.value, h.key, 'header values cannot contain line breaks');
          continue;
        }
        headers.push([h.name, v]);
      }
    }
  }
  return { http2, headers };
}

function parseUsers(ctx: Ctx, node: unknown): Map<string, string> {
  const users = new Map<string, string>();
  for (const item of entries(ctx, node, 'basic_auth_users', undefined)) {
    if (item.name.includes(':')) {
      ctx.add(item.pair.key, item.key, "user names cannot contain ':' (HTTP basic auth splits on it)");
      continue;
    }
    const v = isScalar(item.value) && typeof item.value.value === 'string' ? item.value.value : undefined;
    if (v === undefined || bcryptCost(v) === undefined) {
      ctx.add(
        item.value ?? item.pair.key,
        item.key,
        'invalid bcrypt hash (expected $2a$, $2b$ or $2y$, a cost of 04 to 31 and 53 characters of salt and hash)',
      );
      continue;
    }
    users.set(item.name, v);
  }
  return users;
}

function parseRateLimit(ctx: Ctx, node: unknown): RateLimitSpec | undefined {
  const before = ctx.problems.length;
  let intervalMs = 0;
  let burst = 0;
  let burstItem: { key: string; pair: Pair<unknown, unknown> } | undefined;
  for (const item of entries(ctx, node, 'rate_limit', RATE_KEYS)) {
    if (item.name === 'interval') {
      const v = item.value;
      if (isNull(v)) continue;
      const d =
        isScalar(v) && typeof v.value === 'string'
          ? parseGoDuration(v.value)
          : isScalar(v) && v.value === 0
            ? 0
            : undefined;
      if (d === undefined) ctx.add(v, item.key, 'expected a duration such as 1s, 500ms or 0');
      else intervalMs = d;
    } else {
      burstItem = item;
      const v = item.value;
      if (isNull(v)) continue;
      if (isScalar(v) && typeof v.value === 'number' && Number.isInteger(v.value) && v.value >= 0)
        burst = v.value;
      else ctx.add(v, item.key, 'expected a non-negative integer');
    }
  }
  if (intervalMs <= 0 || ctx.problems.length > before) return undefined;
  if (burst < 1) {
    ctx.add(
      burstItem?.pair.key ?? node,
      burstItem?.key ?? 'rate_limit.burst',
      'must be at least 1 when interval is set',
    );
    return undefined;
  }
  return { intervalMs, burst };
}

/** Parses the text of a web config file; `source` is its path (relative paths are resolved from its folder). */
export function parseWebConfig(text: string, source: string): WebConfigSpec {
  const abs = resolve(source);
  const lc = new LineCounter();
  const ctx = new Ctx(source, lc);
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  for (const e of doc.errors) {
    const at = e.pos[0];
    ctx.problems.push({ source, line: lc.linePos(at).line, message: `YAML: ${e.message.split('\n')[0]}` });
  }
  if (ctx.problems.length > 0) throw new ConfigError(ctx.problems);
  let aliased = false;
  const visit = (n: unknown): void => {
    if (isAlias(n)) aliased = true;
    else if (isMap(n) || isSeq(n)) for (const it of n.items) visit(isMap(n) ? (it as Pair).value : it);
  };
  visit(doc.contents);
  if (aliased)
    throw new ConfigError([{ source, message: 'YAML anchors and aliases are not supported here' }]);

  const root: Node | null = doc.contents;
  let tls: TlsSpec | undefined;
  let http = { http2: true, headers: [] as Array<[string, string]> };
  let users = new Map<string, string>();
  let rateLimit: RateLimitSpec | undefined;
  for (const item of entries(ctx, root, '', TOP_KEYS)) {
    if (item.name === 'tls_server_config') tls = parseTls(ctx, item.value, dirname(abs), item.pair.key);
    else if (item.name === 'http_server_config') http = parseHttp(ctx, item.value);
    else if (item.name === 'basic_auth_users') users = parseUsers(ctx, item.value);
    else rateLimit = parseRateLimit(ctx, item.value);
  }
  if (ctx.problems.length > 0)
    throw new ConfigError([...ctx.problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
  return { source: abs, tls, http2: http.http2, headers: http.headers, users, rateLimit };
}
