/**
 * Meaning of option-file groups and keys, as mysqld_exporter reads them: one auth module per `[client]` /
 * `[client.<name>]` group, or problems with file, line and key. No problem ever contains a value (a
 * password may sit on the broken line), nor an unrecognised key, which could be a password written
 * where a key belongs. Syntax: my-cnf-lexer.ts; file reading: my-cnf-files.ts; user guide:
 * docs/my-cnf.md.
 *
 * Decisions:
 * - Keys compare case-insensitively with `-` and `_` equal; `loose-`, `skip-`, `disable-`, `enable-`
 *   prefixes as in the MySQL client (my-cnf-keys.ts). `${VAR}` / `$VAR` expand from the injected
 *   environment in every value (mysqld_exporter's os.ExpandEnv), `$$` is a literal `$`
 *   (my-cnf-expand.ts); an unset variable expands to empty with a warning.
 * - Groups: `[client]` (the `client` part in any case) and `[client.a]`, `[client.a.b]`: a child
 *   inherits every key of its ancestors and overrides them. Other groups are skipped without looking at
 *   them.
 * - `MYSQLD_EXPORTER_PASSWORD` is the default `[client]` password, the file overrides it. An empty
 *   `[client]` user, host and port (or socket) are filled from `--mysqld.username` / `--mysqld.address`
 *   (the `defaults`), then the children inherit them.
 * - Address: `socket` wins over host/port (as in mysqld_exporter). `host = localhost` is TCP to
 *   localhost, as in mysqld_exporter and go-sql-driver (the mysql CLI would use its default socket).
 *   Without host: 127.0.0.1. `port = 0` or no port: 3306.
 * - TLS: `tls` (mysqld_exporter) or `ssl-mode` (MySQL) choose the mode; the one in the more specific
 *   section wins, two different choices in one section are an error. Otherwise `ssl = 0` / `skip-ssl` is
 *   off, `ssl-skip-verfication` or --tls.insecure-skip-verify is skip-verify, `ssl-ca` or
 *   `ssl-verify-server-cert` is verify, `ssl = 1` is skip-verify, nothing is off. TlsSettings has three
 *   modes: `preferred` and `REQUIRED` map to skip-verify (TLS required, not verified: no silent
 *   plaintext fallback), `VERIFY_CA` to verify (which also checks the host name). Both warn.
 * - Relative file paths (ssl-ca, ...) resolve against the directory of the file the line is in.
 * - Unknown keys are warnings (the key is named only when it has `=`); mysql-client options that only
 *   matter to the CLI are accepted silently; connection options we do not implement warn.
 * - A section without a user is an error naming the section; an empty password is allowed. `[client]`
 *   may lack a user only when the file has no `[client]` header and defines `[client.<name>]` sections
 *   (a /probe-only set-up); it then yields no module.
 */
import { dirname, resolve } from 'node:path';
import type { Address } from '../db/address.js';
import type { AuthExtras } from '../db/auth-extras.js';
import type { Credentials, TlsSettings } from '../db/target-options.js';
import { Secret } from '../model/secret.js';
import type { ConfigProblem } from '../errors.js';
import { type Env, expandEnv } from './my-cnf-expand.js';
import {
  canonicalKey,
  parseBool,
  parseHost,
  parsePort,
  parseServerName,
  parseSslMode,
  parseTlsKey,
  parseTlsVersion,
  parseTlsVersionList,
  type TlsChoice,
  type TlsVersion,
} from './my-cnf-keys.js';
import type { PathRef, SourcedItem } from './my-cnf-files.js';
import { type CnfGroup, type CnfOption, OPTION_NAME } from './my-cnf-lexer.js';
import {
  MANAGED_KEYS,
  type ManagedValues,
  parseManagedValue,
  passwordFileFromEnv,
  resolveManaged,
} from './my-cnf-managed.js';

export const DEFAULT_AUTH_MODULE = 'client';
export const PASSWORD_ENV = 'MYSQLD_EXPORTER_PASSWORD';

/** One `[client]` or `[client.<name>]` section, resolved. Frozen. */
export interface AuthModule {
  /** `client` or `client.<name>`: the `auth_module` value that selects it. */
  readonly name: string;
  readonly address: Address;
  readonly credentials: Credentials;
  /** Pinned RSA public key for caching_sha2_password full authentication without TLS (absolute path). */
  readonly serverPublicKeyPath?: string;
  /** `enable-cleartext-plugin`: allow mysql_clear_password. Off unless the section opts in. */
  readonly allowCleartext: boolean;
  /** get-server-public-key, aws-iam-auth, cloud-sql-proxy (my-cnf-managed.ts). */
  readonly auth?: AuthExtras;
}

/** Command-line values that fill an empty `[client]`. */
export interface MyCnfDefaults {
  /** `--mysqld.address`: fills an empty [client] host and port, or socket for a unix address. */
  readonly address?: Address;
  /** `--mysqld.username`: fills an empty [client] user. */
  readonly user?: string;
  /** `--tls.insecure-skip-verify`: every section's TLS becomes skip-verify unless it turns TLS off. */
  readonly tlsInsecureSkipVerify?: boolean;
}

/** Where a problem is: a file and, when known, a line. */
interface Where {
  readonly source?: string;
  readonly line?: number | undefined;
}

interface Setting<T> {
  readonly value: T;
  readonly section: string;
  readonly source?: string;
  readonly line: number | undefined;
  /** As written in the file (or the flag/env name). */
  readonly key: string;
}

interface Values {
  host?: Setting<string>;
  port?: Setting<number>;
  socket?: Setting<string>;
  user?: Setting<string>;
  password?: Setting<string>;
  sslCa?: Setting<string>;
  sslCert?: Setting<string>;
  sslKey?: Setting<string>;
  serverPublicKeyPath?: Setting<string>;
  ssl?: Setting<boolean>;
  verifyServerCert?: Setting<boolean>;
  skipVerify?: Setting<boolean>;
  cleartext?: Setting<boolean>;
  tls?: Setting<TlsChoice>;
  sslMode?: Setting<TlsChoice>;
  serverName?: Setting<string>;
  minVersion?: Setting<TlsVersion>;
  maxVersion?: Setting<TlsVersion>;
  versionList?: Setting<TlsVersion>;
  /** The keys of my-cnf-managed.ts, merged per section chain (not inherited by Object.assign). */
  managed?: ManagedValues;
}

type BoolField = 'ssl' | 'verifyServerCert' | 'skipVerify' | 'cleartext';

const BOOL_FIELDS: Readonly<Record<string, BoolField>> = Object.freeze({
  ssl: 'ssl',
  'ssl-verify-server-cert': 'verifyServerCert',
  'ssl-skip-verfication': 'skipVerify',
  'enable-cleartext-plugin': 'cleartext',
});

class Problems {
  readonly errors: ConfigProblem[] = [];
  readonly warnings: ConfigProblem[] = [];
  private readonly seen = new Set<string>();
  constructor(readonly source: string) {}

  /** `at` is a place, or a line of the top-level file (my-cnf-managed.ts reports lines only). */
  error(at: Where | number | undefined, key: string | undefined, message: string): void {
    this.add(this.errors, at, key, message);
  }

  warn(at: Where | number | undefined, key: string | undefined, message: string): void {
    this.add(this.warnings, at, key, message);
  }

  private add(
    into: ConfigProblem[],
    where: Where | number | undefined,
    key: string | undefined,
    message: string,
  ) {
    const at: Where | undefined = typeof where === 'number' ? { line: where } : where;
    const source = at?.source ?? this.source;
    const line = at?.line;
    const id = `${into === this.errors ? 'e' : 'w'}|${source}|${line}|${key}|${message}`;
    if (this.seen.has(id)) return;
    this.seen.add(id);
    into.push({
      source,
      ...(line === undefined ? {} : { line }),
      ...(key === undefined ? {} : { key }),
      message,
    });
  }
}

/** `[client]` in any case -> `client`; `[client.x]` keeps x as written; anything else is skipped. */
function sectionName(header: string): string | undefined {
  const m = /^client(?:\.(.*))?$/is.exec(header);
  if (!m) return undefined;
  return m[1] === undefined ? DEFAULT_AUTH_MODULE : `${DEFAULT_AUTH_MODULE}.${m[1]}`;
}

function validModuleName(name: string): boolean {
  return name.split('.').every((seg) => seg.length > 0);
}

/** Reads one section's lines (all headers of that name, in order) into typed settings. */
function collect(section: string, options: readonly SourcedOption[], env: Env, p: Problems) {
  const values: Values = {};
  const firstLine = new Map<string, SourcedOption>();
  for (const l of options) {
    if (l.key === undefined || !OPTION_NAME.test(l.key)) {
      p.error(
        l,
        undefined,
        'malformed line; expected "key = value", "[group]" or a comment starting with # or ;',
      );
      continue;
    }
    const rawKey = l.key;
    const c = canonicalKey(rawKey);
    if (c.kind === 'ignored') continue;
    if (c.kind === 'unknown') {
      if (l.value === undefined) p.warn(l, undefined, 'unknown option without a value; ignored');
      else p.warn(l, rawKey, 'unknown option; ignored');
      continue;
    }
    if (c.kind === 'unsupported') {
      p.warn(l, rawKey, 'mysql client option that this exporter does not implement; ignored');
      continue;
    }
    if (l.badValue) {
      p.error(
        l,
        rawKey,
        'is not valid UTF-8 as the MySQL client reads it: an unquoted value loses a last byte 0xA0 ' +
          '(the end of à, Š and other characters) to whitespace trimming; quote the value',
      );
      continue;
    }
    valueWarnings(l, rawKey, c.key === 'password', p);
    const prev = firstLine.get(c.key);
    if (prev !== undefined)
      p.warn(
        l,
        rawKey,
        `set again (first on line ${prev.line}${prev.source === l.source ? '' : ` of ${prev.source}`}); the later line wins`,
      );
    else firstLine.set(c.key, l);
    const baseDir = dirname(resolve(l.source));

    let text: string | undefined;
    if (l.value !== undefined) {
      const x = expandEnv(l.value, env);
      for (const name of x.unset) {
        p.warn(
          l,
          rawKey,
          c.key === 'password'
            ? 'refers to an environment variable that is not set; it expands to the empty string'
            : `refers to $${name}, which is not set; it expands to the empty string`,
        );
      }
      text = x.value;
    }
    const at = <T>(value: T): Setting<T> => ({ value, section, source: l.source, line: l.line, key: rawKey });
    const bad = (message: string) => p.error(l, rawKey, message);

    if (MANAGED_KEYS.has(c.key)) {
      const m = parseManagedValue(c.key, c.kind === 'bool' && c.invert, text, baseDir);
      if ('error' in m) bad(m.error);
      else values.managed = { ...values.managed, [c.key]: at(m.value) };
      continue;
    }

    if (c.kind === 'bool') {
      const parsed = text === undefined ? true : parseBool(text);
      if (parsed === undefined) {
        bad('expects a boolean: 1/0, true/false, on/off or yes/no (or the bare key for true)');
        continue;
      }
      values[BOOL_FIELDS[c.key]!] = at(c.invert ? !parsed : parsed);
      continue;
    }
    if (text === undefined) {
      bad('needs a value: write "key = value"' + (c.key === 'password' ? ' ("password =" for none)' : ''));
      continue;
    }
    const path = (): Setting<string> => at(text === '' ? '' : resolve(baseDir, text));
    switch (c.key) {
      case 'host': {
        const h = text === '' ? '' : parseHost(text);
        if (h === undefined) bad('must be a host name or an IP address, without port, scheme or user');
        else values.host = at(h);
        break;
      }
      case 'port': {
        if (text === '') break;
        const n = parsePort(text);
        if (n === undefined) bad('must be an integer from 1 to 65535 (0 means the default, 3306)');
        else values.port = at(n);
        break;
      }
      case 'socket':
        if (text !== '' && !text.startsWith('/')) bad('must be an absolute path');
        else values.socket = at(text);
        break;
      case 'user':
        values.user = at(text);
        break;
      case 'password':
        values.password = at(text);
        break;
      case 'ssl-ca':
        values.sslCa = path();
        break;
      case 'ssl-cert':
        values.sslCert = path();
        break;
      case 'ssl-key':
        values.sslKey = path();
        break;
      case 'server-public-key-path':
        values.serverPublicKeyPath = path();
        break;
      case 'ssl-mode': {
        if (text === '') break;
        const m = parseSslMode(text);
        if (m === undefined) bad('must be DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY');
        else values.sslMode = at(m);
        break;
      }
      case 'tls': {
        if (text === '') break;
        const m = parseTlsKey(text);
        if (m === undefined) bad('must be true, false, skip-verify or preferred');
        else values.tls = at(m);
        break;
      }
      case 'tls-server-name': {
        const n = text === '' ? '' : parseServerName(text);
        if (n === undefined) bad('must be a DNS name or an IP address');
        else values.serverName = at(n);
        break;
      }
      case 'tls-min-version':
      case 'tls-max-version': {
        if (text === '') break;
        const v = parseTlsVersion(text);
        if (v === undefined) bad('must be TLSv1.2 or TLSv1.3 (older versions are refused)');
        else if (c.key === 'tls-min-version') values.minVersion = at(v);
        else values.maxVersion = at(v);
        break;
      }
      case 'tls-version': {
        if (text === '') break;
        const v = parseTlsVersionList(text);
        if (v === undefined) bad('must list TLSv1.2 and/or TLSv1.3, separated by commas');
        else values.versionList = at(v);
        break;
      }
      default:
        break;
    }
  }
  return values;
}

/** The `[client]` values before the file: the password from the environment. */
function baseClient(env: Env): Values {
  const pw = Object.hasOwn(env, PASSWORD_ENV) ? env[PASSWORD_ENV] : undefined;
  return { password: { value: pw ?? '', section: DEFAULT_AUTH_MODULE, line: undefined, key: PASSWORD_ENV } };
}

/** Fills an empty [client] user, host, port or socket from the command line. */
function fillFromFlags(v: Values, d: MyCnfDefaults): Values {
  const out: Values = { ...v };
  const flag = <T>(value: T, key: string): Setting<T> => ({
    value,
    section: DEFAULT_AUTH_MODULE,
    line: undefined,
    key,
  });
  if (!out.user?.value && d.user) out.user = flag(d.user, '--mysqld.username');
  const a = d.address;
  if (a?.kind === 'tcp') {
    if (!out.host?.value) out.host = flag(a.host, '--mysqld.address');
    if (!out.port?.value) out.port = flag(a.port, '--mysqld.address');
  } else if (a?.kind === 'socket' && !out.host?.value && !out.socket?.value) {
    out.socket = flag(a.path, '--mysqld.address');
  }
  return out;
}

function resolveAddress(v: Values): Address {
  if (v.socket?.value) return Object.freeze({ kind: 'socket', path: v.socket.value });
  return Object.freeze({ kind: 'tcp', host: v.host?.value || '127.0.0.1', port: v.port?.value || 3306 });
}

/** The TLS intent: explicit `tls`/`ssl-mode`, else what the other keys imply. */
function tlsChoice(name: string, v: Values, d: MyCnfDefaults, p: Problems): TlsChoice {
  const forceSkip = v.skipVerify?.value === true || d.tlsInsecureSkipVerify === true;
  const { tls, sslMode } = v;
  let explicit: Setting<TlsChoice> | undefined = tls ?? sslMode;
  if (tls && sslMode) {
    if (tls.section === sslMode.section && mapChoice(tls.value) !== mapChoice(sslMode.value)) {
      const [first, later] = (tls.line ?? 0) < (sslMode.line ?? 0) ? [tls, sslMode] : [sslMode, tls];
      p.error(later, later.key, `conflicts with ${first.key} on line ${first.line} in [${name}]`);
    }
    explicit = depth(tls.section) >= depth(sslMode.section) ? tls : sslMode;
  }
  if (explicit) {
    if (explicit.value === 'preferred') {
      p.warn(
        explicit,
        explicit.key,
        'preferred is treated as skip-verify: TLS is required and the certificate is not verified ' +
          '(turn TLS off for a server without TLS)',
      );
    } else if (explicit.value === 'verify-ca') {
      p.warn(
        explicit,
        explicit.key,
        'VERIFY_CA is treated as VERIFY_IDENTITY: the certificate must also match the host name ' +
          '(set tls-server-name when it does not)',
      );
    }
    if (explicit.value !== 'off' && forceSkip) return 'skip-verify';
    return explicit.value;
  }
  if (v.ssl?.value === false) return 'off';
  if (forceSkip) return 'skip-verify';
  if (v.verifyServerCert?.value === true || v.sslCa?.value) return 'verify';
  if (v.ssl?.value === true) return 'skip-verify';
  return 'off';
}

function depth(section: string): number {
  return section.split('.').length;
}

function mapChoice(c: TlsChoice): TlsSettings['mode'] {
  if (c === 'off') return 'off';
  if (c === 'verify' || c === 'verify-ca') return 'verify';
  return 'skip-verify';
}

function resolveTls(name: string, v: Values, d: MyCnfDefaults, p: Problems, refs: PathRef[]): TlsSettings {
  const mode = mapChoice(tlsChoice(name, v, d, p));
  const { sslCa, sslCert, sslKey } = v;
  const cert = sslCert?.value ? sslCert : undefined;
  const key = sslKey?.value ? sslKey : undefined;
  if ((cert === undefined) !== (key === undefined)) {
    const set = (cert ?? key)!;
    p.error(set, set.key, `ssl-cert and ssl-key must be set together (in [${name}] or a parent)`);
  }
  const files = [sslCa?.value ? sslCa : undefined, cert, key].filter((s) => s !== undefined);
  if (mode === 'off') {
    const first = files[0];
    if (first) p.warn(first, first.key, `ignored by [${name}] because TLS is off there`);
    return Object.freeze({ mode });
  }
  for (const f of files) refs.push({ path: f.value, source: f.source ?? '', line: f.line, key: f.key });

  let minVersion = v.minVersion ?? v.versionList;
  const max = v.maxVersion;
  if (minVersion && max && minVersion.value > max.value) {
    p.error(max, max.key, `is lower than ${minVersion.key} (line ${minVersion.line})`);
    minVersion = undefined;
  } else if (max?.value === 'TLSv1.2') {
    p.warn(max, max.key, 'a TLSv1.2 maximum is checked against the minimum but not enforced');
  }
  return Object.freeze({
    mode,
    ...(sslCa?.value ? { ca: sslCa.value } : {}),
    ...(cert && key ? { cert: cert.value, key: key.value } : {}),
    ...(v.serverName?.value ? { serverName: v.serverName.value } : {}),
    ...(minVersion ? { minVersion: minVersion.value } : {}),
  });
}

export interface Resolved {
  readonly modules: ReadonlyMap<string, AuthModule>;
  readonly warnings: readonly ConfigProblem[];
  readonly errors: readonly ConfigProblem[];
  /** Files the modules name (TLS, public key), to be checked by the caller. */
  readonly files: readonly PathRef[];
  /** Modules whose password is read from a file (password-file, MYSQLD_EXPORTER_PASSWORD_FILE). */
  readonly passwordFiles: ReadonlyMap<string, PathRef>;
}

type SourcedOption = CnfOption & { readonly source: string };
type SourcedGroup = CnfGroup & { readonly source: string };

const CLIENT_GROUP = /^client(?:\.|$)/i;

/**
 * Warnings about a value that the MySQL client reads differently from what it may look like; never
 * quoting it. One line each.
 */
function valueWarnings(l: SourcedOption, key: string, isPassword: boolean, p: Problems): void {
  if (l.unbalanced) {
    p.warn(
      l,
      key,
      'value starts with a quote but does not end with the same quote, so it is taken literally ' +
        '(wrap a value that starts with a quote in the other quote)',
    );
  }
  if (l.comment === 'attached') {
    p.warn(
      l,
      key,
      'an unquoted # starts a comment, even inside a value (MySQL client rule), so the value ends ' +
        'before it; quote the value if the # belongs to it (mysqld_exporter 0.15+ kept it)',
    );
  }
  if (isPassword && !l.quoted && l.value !== undefined && /[\t ];/.test(l.value)) {
    p.warn(
      l,
      key,
      'the value contains " ;", which is not a comment after a value (only # is, and ; at the start ' +
        'of a line): it is part of the password',
    );
  }
}

function rank(items: readonly SourcedItem[]): (a: ConfigProblem, b: ConfigProblem) => number {
  const order = new Map<string, number>();
  for (const it of items) if (!order.has(it.source)) order.set(it.source, order.size);
  return (a, b) => (order.get(a.source) ?? -1) - (order.get(b.source) ?? -1) || (a.line ?? 0) - (b.line ?? 0);
}

/**
 * Turns lexed option-file items (from my-cnf-files.ts, in reading order) into auth modules: every
 * `[client]` / `[client.<name>]` group; all other groups are skipped unread.
 */
export function resolveAuthModules(
  items: readonly SourcedItem[],
  opts: { readonly path: string; readonly env: Env; readonly defaults?: MyCnfDefaults },
): Resolved {
  const d = opts.defaults ?? {};
  const p = new Problems(opts.path);

  const byName = new Map<string, SourcedOption[]>();
  const headers = new Map<string, SourcedGroup>();
  const invalid = new Set<string>();
  const groupOf = new Map<string | undefined, string | undefined>();
  const nameFor = (g: string | undefined): string | undefined => {
    if (g === undefined) return undefined;
    if (!groupOf.has(g)) groupOf.set(g, sectionName(g));
    return groupOf.get(g);
  };
  for (const it of items) {
    if (it.kind === 'group') {
      const g = it as SourcedGroup;
      const name = nameFor(g.name);
      if (name === undefined) {
        if (g.name !== undefined && g.name !== g.name.trimStart() && CLIENT_GROUP.test(g.name.trimStart()))
          p.warn(
            g,
            undefined,
            'a space after [ makes this another group than [client] (as for the MySQL client); skipped',
          );
        continue;
      }
      if (!validModuleName(name)) {
        if (!invalid.has(name))
          p.error(g, undefined, 'malformed section name; expected [client] or [client.<name>]');
        invalid.add(name);
        continue;
      }
      if (g.trailing === 'text') p.warn(g, undefined, 'text after ] is ignored (as by the MySQL client)');
      if (!headers.has(name)) headers.set(name, g);
      if (!byName.has(name)) byName.set(name, []);
      continue;
    }
    if (it.kind !== 'option') continue;
    const name = nameFor(it.group);
    if (name === undefined || invalid.has(name)) continue;
    byName.get(name)?.push(it as SourcedOption);
  }

  const values = new Map<string, Values>();
  for (const [name, list] of byName) values.set(name, collect(name, list, opts.env, p));
  const client = fillFromFlags({ ...baseClient(opts.env), ...values.get(DEFAULT_AUTH_MODULE) }, d);
  values.set(DEFAULT_AUTH_MODULE, client);

  const names = [DEFAULT_AUTH_MODULE, ...[...byName.keys()].filter((n) => n !== DEFAULT_AUTH_MODULE)];
  const probeOnly = !byName.has(DEFAULT_AUTH_MODULE) && names.length > 1;
  const modules = new Map<string, AuthModule>();
  const files: PathRef[] = [];
  const passwordFiles = new Map<string, PathRef>();
  for (const name of names) {
    const parts = name.split('.');
    const chain = parts.map((_, i) => values.get(parts.slice(0, i + 1).join('.')));
    const v: Values = Object.assign({}, ...chain.filter((c) => c !== undefined));
    const header = headers.get(name);
    const user = v.user?.value ?? '';
    if (user === '') {
      if (name === DEFAULT_AUTH_MODULE && probeOnly) continue;
      p.error(
        header,
        'user',
        name === DEFAULT_AUTH_MODULE
          ? 'no user for [client]: set "user =" in [client] or pass --mysqld.username'
          : `no user for [${name}]: set "user =" in it or in a parent section`,
      );
      continue;
    }
    const refs: PathRef[] = [];
    const tls = resolveTls(name, v, d, p, refs);
    const spk = v.serverPublicKeyPath?.value ? v.serverPublicKeyPath : undefined;
    if (spk) refs.push({ path: spk.value, source: spk.source ?? '', line: spk.line, key: spk.key });
    const allowCleartext = v.cleartext?.value === true;
    if (allowCleartext && tls.mode === 'off' && v.cleartext) {
      p.warn(
        v.cleartext,
        v.cleartext.key,
        `[${name}] sends the password in clear text to a server that asks for it, and TLS is off`,
      );
    }
    const managed = resolveManaged(
      name,
      Object.assign({}, passwordFileFromEnv(opts.env, DEFAULT_AUTH_MODULE), ...chain.map((c) => c?.managed)),
      v.password && (v.password.line !== undefined || Object.hasOwn(opts.env, PASSWORD_ENV))
        ? v.password
        : undefined,
      resolveAddress(v),
      tls,
      p,
    );
    if (managed.passwordFile) {
      const ref = { ...managed.passwordFile, source: opts.path };
      refs.push(ref);
      passwordFiles.set(name, ref);
    }
    files.push(...refs);
    modules.set(
      name,
      Object.freeze({
        name,
        address: resolveAddress(v),
        credentials: Object.freeze({ user, password: Secret.of(v.password?.value ?? ''), tls }),
        ...(spk ? { serverPublicKeyPath: spk.value } : {}),
        allowCleartext,
        ...(managed.auth ? { auth: managed.auth } : {}),
      }),
    );
  }
  const order = rank(items);
  return {
    modules,
    errors: [...p.errors].sort(order),
    warnings: [...p.warnings].sort(order),
    files,
    passwordFiles,
  };
}
