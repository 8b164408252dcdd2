/**
 * The option names this exporter understands in `[client*]` sections, the mysql-client options it
 * accepts and ignores, and the value parsers. Names compare case-insensitively with `-` and `_` equal;
 * `loose-` and the boolean prefixes `skip-`, `disable-`, `enable-` work as in the MySQL client.
 */

export type KeyKind = 'string' | 'bool';

/** Canonical name -> kind. */
const KNOWN: Readonly<Record<string, KeyKind>> = Object.freeze({
  host: 'string',
  port: 'string',
  socket: 'string',
  user: 'string',
  password: 'string',
  'ssl-ca': 'string',
  'ssl-cert': 'string',
  'ssl-key': 'string',
  ssl: 'bool',
  'ssl-mode': 'string',
  tls: 'string',
  'tls-server-name': 'string',
  'tls-min-version': 'string',
  'tls-max-version': 'string',
  'tls-version': 'string',
  'ssl-verify-server-cert': 'bool',
  'ssl-skip-verfication': 'bool',
  'server-public-key-path': 'string',
  'enable-cleartext-plugin': 'bool',
  'get-server-public-key': 'bool',
  'password-file': 'string',
  'aws-iam-auth': 'bool',
  'aws-region': 'string',
  'cloud-sql-proxy': 'bool',
});

/** The understood keys with a one-line description each (the README's option-file reference). */
export const MY_CNF_KEY_HELP: Readonly<Record<string, string>> = Object.freeze({
  host: 'Server host name or IP address (default 127.0.0.1; `localhost` means TCP, as in mysqld_exporter).',
  port: 'Server TCP port (default 3306).',
  socket: 'Unix socket path; wins over host and port.',
  user: 'User name (required in every section, directly or inherited).',
  password:
    'Password; quote it (`\'...\'` or `"..."`) when it contains `#`, a backslash or outer spaces, as for the mysql client.',
  'ssl-ca': 'CA certificate file (PEM) to verify the server with; enables verified TLS.',
  'ssl-cert': 'Client certificate file (PEM).',
  'ssl-key': 'Client private key file (PEM).',
  ssl: 'Boolean: `ssl=0` / `skip-ssl` turns TLS off; `ssl=1` requires TLS without verification.',
  'ssl-mode': 'MySQL client style: DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY.',
  tls: 'mysqld_exporter style: true (verify), false, skip-verify, preferred.',
  'tls-server-name': 'Host name expected in the server certificate (for IP targets with DNS-only SANs).',
  'tls-min-version': 'Lowest TLS version: TLSv1.2 (default) or TLSv1.3.',
  'tls-max-version': 'Highest TLS version (checked against the minimum).',
  'tls-version': 'MySQL client style list of allowed versions, e.g. TLSv1.2,TLSv1.3.',
  'ssl-verify-server-cert': 'Boolean: verify the server certificate.',
  'ssl-skip-verfication':
    'Boolean (mysqld_exporter spelling, also `ssl-skip-verification`): TLS without verification.',
  'server-public-key-path': 'Pinned RSA public key of the server for caching_sha2_password without TLS.',
  'enable-cleartext-plugin': 'Boolean: allow mysql_clear_password (off unless set).',
  'get-server-public-key':
    'Boolean: for caching_sha2_password full authentication without TLS or a pinned key, ask the server for its RSA key and trust the first one it sends (warns at start-up).',
  'password-file':
    'File holding the password (one trailing newline is dropped); read at start and on reload. Relative to the option file.',
  'aws-iam-auth':
    'Boolean: RDS/Aurora IAM authentication: the password is an IAM auth token made from the AWS SDK default credentials, sent only over verified TLS, renewed every 10 minutes.',
  'aws-region':
    'AWS region of the RDS instance for aws-iam-auth (default: the SDK region chain, e.g. AWS_REGION).',
  'cloud-sql-proxy':
    'Boolean: the address is a Cloud SQL Auth Proxy on a loopback TCP port; that connection counts as protected (the proxy is the TLS end).',
});

/** Names of every understood key, in reference order. */
export const MY_CNF_KEYS: readonly string[] = Object.freeze(Object.keys(KNOWN));

/** Other spellings -> canonical name. */
const ALIASES: Readonly<Record<string, string>> = Object.freeze({
  // mysqld_exporter's key carries this typo; accept the spelling people will try too.
  'ssl-skip-verification': 'ssl-skip-verfication',
  // MySQL 8.1+ client option for SNI.
  'tls-sni-servername': 'tls-server-name',
});

/** mysql-client options that change how a connection is made but that this exporter does not implement. */
const UNSUPPORTED: readonly string[] = Object.freeze([
  'protocol',
  'bind-address',
  'init-command',
  'default-auth',
  'ssl-capath',
  'ssl-crl',
  'ssl-crlpath',
  'ssl-cipher',
  'ssl-passphrase',
  'tls-ciphersuites',
  'ssl-fips-mode',
  'ssl-session-data',
  'ssl-session-data-continue-on-failed-reuse',
  'compress',
  'compression-algorithms',
  'zstd-compression-level',
  'password1',
  'password2',
  'password3',
  'shared-memory-base-name',
  'pipe',
  'dns-srv-name',
  'plugin-authentication-kerberos-client-mode',
  'plugin-authentication-webauthn-client-preserve-privacy',
]);

/** mysql-client (and mysqldump) options that only matter to those programs: accepted without a word. */
const IGNORED: readonly string[] = Object.freeze([
  'database',
  'default-character-set',
  'character-sets-dir',
  'connect-timeout',
  'max-allowed-packet',
  'net-buffer-length',
  'local-infile',
  'load-data-local-dir',
  'plugin-dir',
  'secure-auth',
  'reconnect',
  'pager',
  'prompt',
  'auto-rehash',
  'no-auto-rehash',
  'safe-updates',
  'i-am-a-dummy',
  'beep',
  'no-beep',
  'silent',
  'verbose',
  'batch',
  'html',
  'xml',
  'table',
  'vertical',
  'quick',
  'raw',
  'column-names',
  'column-type-info',
  'line-numbers',
  'sigint-ignore',
  'show-warnings',
  'delimiter',
  'histignore',
  'binary-mode',
  'unbuffered',
  'comments',
  'auto-vertical-output',
  'tee',
  'no-tee',
  'named-commands',
  'no-named-commands',
  'one-database',
  'select-limit',
  'max-join-size',
  'connect-expired-password',
  'syslog',
  'system-command',
  'binary-as-hex',
  'debug',
  'debug-info',
  'debug-check',
  'force',
  'ignore-spaces',
  'wait',
  'network-namespace',
  'server-arg',
  'single-transaction',
  'quote-names',
  'lock-tables',
  'max-connect-errors',
]);

export type Canonical =
  | { readonly kind: KeyKind; readonly key: string; readonly invert: boolean }
  | { readonly kind: 'unsupported' | 'ignored' | 'unknown'; readonly key: string };

const BOOL_PREFIXES: readonly (readonly [string, boolean])[] = Object.freeze([
  ['skip-', true],
  ['disable-', true],
  ['enable-', false],
] as const);

function plain(k: string): Canonical | undefined {
  const name = ALIASES[k] ?? k;
  const kind = Object.hasOwn(KNOWN, name) ? KNOWN[name] : undefined;
  if (kind !== undefined) return { kind, key: name, invert: false };
  if (UNSUPPORTED.includes(name)) return { kind: 'unsupported', key: name };
  if (IGNORED.includes(name)) return { kind: 'ignored', key: name };
  return undefined;
}

/** What a key written in the file means. `loose-` turns an unknown option into an ignored one. */
export function canonicalKey(rawKey: string): Canonical {
  let k = rawKey.toLowerCase().replaceAll('_', '-');
  const loose = k.startsWith('loose-');
  if (loose) k = k.slice('loose-'.length);
  const direct = plain(k);
  if (direct) return direct;
  for (const [prefix, invert] of BOOL_PREFIXES) {
    if (!k.startsWith(prefix)) continue;
    const inner = plain(k.slice(prefix.length));
    if (inner === undefined) continue;
    if (inner.kind === 'bool') return { kind: 'bool', key: inner.key, invert };
    if (inner.kind === 'ignored' || inner.kind === 'unsupported') return inner;
  }
  return { kind: loose ? 'ignored' : 'unknown', key: k };
}

export function parseBool(text: string): boolean | undefined {
  const v = text.toLowerCase();
  if (v === '1' || v === 'true' || v === 'on' || v === 'yes') return true;
  if (v === '0' || v === 'false' || v === 'off' || v === 'no') return false;
  return undefined;
}

/** TLS intent as written, before it is mapped onto TlsSettings' three modes. */
export type TlsChoice = 'off' | 'preferred' | 'required' | 'skip-verify' | 'verify-ca' | 'verify';

/** `tls` as mysqld_exporter (go-sql-driver) reads it. */
export function parseTlsKey(text: string): TlsChoice | undefined {
  const v = text.toLowerCase();
  if (v === 'skip-verify') return 'skip-verify';
  if (v === 'preferred') return 'preferred';
  const b = parseBool(v);
  if (b === undefined) return undefined;
  return b ? 'verify' : 'off';
}

/** `ssl-mode` as the MySQL client reads it. */
export function parseSslMode(text: string): TlsChoice | undefined {
  switch (text.toUpperCase().replaceAll('-', '_')) {
    case 'DISABLED':
      return 'off';
    case 'PREFERRED':
      return 'preferred';
    case 'REQUIRED':
      return 'required';
    case 'VERIFY_CA':
      return 'verify-ca';
    case 'VERIFY_IDENTITY':
      return 'verify';
    default:
      return undefined;
  }
}

export type TlsVersion = 'TLSv1.2' | 'TLSv1.3';

/** `TLSv1.2`, `tlsv1.3`, `1.2`, `1.3`. Older versions are refused. */
export function parseTlsVersion(text: string): TlsVersion | undefined {
  const m = /^(?:tlsv)?1\.([23])$/i.exec(text);
  if (!m) return undefined;
  return m[1] === '2' ? 'TLSv1.2' : 'TLSv1.3';
}

/**
 * `tls-version` is a comma-separated list (`TLSv1.2,TLSv1.3`): the lowest supported entry becomes the
 * minimum. Entries older than 1.2 are dropped; undefined when nothing supported remains or an entry
 * is not a TLS version at all.
 */
export function parseTlsVersionList(text: string): TlsVersion | undefined {
  let lowest: TlsVersion | undefined;
  for (const part of text.split(',')) {
    const p = part.trim();
    if (/^(?:tlsv)?1(?:\.[01])?$/i.test(p)) continue;
    const v = parseTlsVersion(p);
    if (v === undefined) return undefined;
    if (lowest === undefined || v < lowest) lowest = v;
  }
  return lowest;
}

/** A host name or IP address as the `host` key may hold it (brackets around IPv6 removed). */
export function parseHost(text: string): string | undefined {
  const v = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (v.length === 0 || v.length > 255) return undefined;
  if (/^[A-Za-z0-9._-]+$/.test(v)) return v;
  // IPv6 has at least two colons; `db:3307` is a host with a port and is refused.
  if (/^[0-9A-Fa-f:.]+$/.test(v) && v.split(':').length >= 3) return v;
  return undefined;
}

/** A TLS server name: the DNS name or IP address the server certificate must carry. */
export function parseServerName(text: string): string | undefined {
  if (text.length === 0 || text.length > 253) return undefined;
  return /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(text) || parseHost(text) !== undefined
    ? text
    : undefined;
}

/** `port`: 0 means the default (as in the MySQL client and mysqld_exporter), otherwise 1-65535. */
export function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 65535 ? n : undefined;
}
