/**
 * The names exporter-toolkit's web config uses for TLS versions, cipher suites, curves and client
 * auth policies (Go's crypto/tls names), mapped to what Node's OpenSSL understands.
 */
import type { SecureVersion } from 'node:tls';

export const TLS_VERSIONS: ReadonlyMap<string, SecureVersion> = new Map<string, SecureVersion>([
  ['TLS10', 'TLSv1'],
  ['TLS11', 'TLSv1.1'],
  ['TLS12', 'TLSv1.2'],
  ['TLS13', 'TLSv1.3'],
]);

const VERSION_ORDER: readonly SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** Negative when a is older than b. */
export function compareTlsVersions(a: SecureVersion, b: SecureVersion): number {
  return VERSION_ORDER.indexOf(a) - VERSION_ORDER.indexOf(b);
}

/**
 * Go's cipher suite names (crypto/tls CipherSuites() and InsecureCipherSuites()) to OpenSSL names.
 * `null` marks the TLS 1.3 suites: accepted, but (as in Go) they cannot be configured and stay on.
 */
export const CIPHER_SUITES: ReadonlyMap<string, string | null> = new Map<string, string | null>([
  ['TLS_AES_128_GCM_SHA256', null],
  ['TLS_AES_256_GCM_SHA384', null],
  ['TLS_CHACHA20_POLY1305_SHA256', null],
  ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ECDHE-ECDSA-AES128-GCM-SHA256'],
  ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'ECDHE-RSA-AES128-GCM-SHA256'],
  ['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'ECDHE-ECDSA-AES256-GCM-SHA384'],
  ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'ECDHE-RSA-AES256-GCM-SHA384'],
  ['TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-ECDSA-CHACHA20-POLY1305'],
  ['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-RSA-CHACHA20-POLY1305'],
  ['TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 'ECDHE-ECDSA-AES128-SHA'],
  ['TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA', 'ECDHE-ECDSA-AES256-SHA'],
  ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'ECDHE-RSA-AES128-SHA'],
  ['TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', 'ECDHE-RSA-AES256-SHA'],
  ['TLS_RSA_WITH_AES_128_CBC_SHA', 'AES128-SHA'],
  ['TLS_RSA_WITH_AES_256_CBC_SHA', 'AES256-SHA'],
  ['TLS_RSA_WITH_AES_128_GCM_SHA256', 'AES128-GCM-SHA256'],
  ['TLS_RSA_WITH_AES_256_GCM_SHA384', 'AES256-GCM-SHA384'],
  ['TLS_RSA_WITH_AES_128_CBC_SHA256', 'AES128-SHA256'],
  ['TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', 'ECDHE-ECDSA-AES128-SHA256'],
  ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', 'ECDHE-RSA-AES128-SHA256'],
  ['TLS_RSA_WITH_RC4_128_SHA', 'RC4-SHA'],
  ['TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'DES-CBC3-SHA'],
  ['TLS_ECDHE_ECDSA_WITH_RC4_128_SHA', 'ECDHE-ECDSA-RC4-SHA'],
  ['TLS_ECDHE_RSA_WITH_RC4_128_SHA', 'ECDHE-RSA-RC4-SHA'],
  ['TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA', 'ECDHE-RSA-DES-CBC3-SHA'],
]);

/** Go's curve names to OpenSSL group names. Whether this Node's OpenSSL has a group is checked at load. */
export const CURVES: ReadonlyMap<string, string> = new Map([
  ['CurveP256', 'P-256'],
  ['CurveP384', 'P-384'],
  ['CurveP521', 'P-521'],
  ['X25519', 'X25519'],
  ['X25519MLKEM768', 'X25519MLKEM768'],
]);

export const CLIENT_AUTH_TYPES = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

export function isClientAuthType(s: string): s is ClientAuthType {
  return (CLIENT_AUTH_TYPES as readonly string[]).includes(s);
}

/** What each policy means for OpenSSL (`requestCert`, `rejectUnauthorized`) and for our own check. */
export interface ClientAuthPolicy {
  readonly requestCert: boolean;
  readonly rejectUnauthorized: boolean;
  /** A certificate must be presented (checked after the handshake when OpenSSL does not). */
  readonly requireCert: boolean;
  /** A presented certificate must chain to the client CA. */
  readonly verify: boolean;
}

export function clientAuthPolicy(t: ClientAuthType): ClientAuthPolicy {
  switch (t) {
    case 'NoClientCert':
      return { requestCert: false, rejectUnauthorized: false, requireCert: false, verify: false };
    case 'RequestClientCert':
      return { requestCert: true, rejectUnauthorized: false, requireCert: false, verify: false };
    case 'RequireAnyClientCert':
      return { requestCert: true, rejectUnauthorized: false, requireCert: true, verify: false };
    case 'VerifyClientCertIfGiven':
      return { requestCert: true, rejectUnauthorized: false, requireCert: false, verify: true };
    case 'RequireAndVerifyClientCert':
      return { requestCert: true, rejectUnauthorized: true, requireCert: true, verify: true };
  }
}
