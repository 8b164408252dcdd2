/**
 * TLS for the metrics endpoint: options for Node's tls/https from a parsed `tls_server_config`, and
 * the client certificate checks OpenSSL does not make itself (a certificate required but not
 * verified, the SAN allow-list).
 */
import { isIPv6 } from 'node:net';
import type { SecureContextOptions, TLSSocket, TlsOptions } from 'node:tls';
import { clientAuthPolicy } from './tls-names.js';
import type { TlsSpec } from './web-config.js';

/** The PEM files a tls_server_config names, as read. */
export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer | undefined;
}

/** The secure context options (what `server.setSecureContext` takes). */
export function tlsContextOptions(spec: TlsSpec, material: TlsMaterial): SecureContextOptions {
  return {
    cert: material.cert,
    key: material.key,
    ...(material.ca ? { ca: material.ca } : {}),
    minVersion: spec.minVersion,
    maxVersion: spec.maxVersion,
    ...(spec.ciphers ? { ciphers: spec.ciphers } : {}),
    ...(spec.ecdhCurve ? { ecdhCurve: spec.ecdhCurve } : {}),
    honorCipherOrder: spec.honorCipherOrder,
  };
}

/** Options for `https.createServer`. */
export function tlsServerOptions(spec: TlsSpec, material: TlsMaterial): TlsOptions {
  const policy = clientAuthPolicy(spec.clientAuthType);
  return {
    ...tlsContextOptions(spec, material),
    requestCert: policy.requestCert,
    rejectUnauthorized: policy.rejectUnauthorized,
    handshakeTimeout: 10_000,
  };
}

/** The per-connection client-auth switches of a running tls.Server (read by Node at each accept). */
export interface ClientAuthSwitches {
  requestCert: boolean;
  rejectUnauthorized: boolean;
}

/** Applies a new configuration to a running TLS server: new handshakes use it. */
export function applyTls(
  server: { setSecureContext(options: SecureContextOptions): void },
  spec: TlsSpec,
  material: TlsMaterial,
): void {
  server.setSecureContext(tlsContextOptions(spec, material));
  const policy = clientAuthPolicy(spec.clientAuthType);
  const switches = server as unknown as ClientAuthSwitches;
  switches.requestCert = policy.requestCert;
  switches.rejectUnauthorized = policy.rejectUnauthorized;
}

/** Node's `subjectaltname` string (`DNS:a, IP Address:127.0.0.1, URI:"x,y"`) as (type, value) pairs. */
export function parseSubjectAltNames(s: string): Array<{ type: string; value: string }> {
  const out: Array<{ type: string; value: string }> = [];
  let i = 0;
  while (i < s.length) {
    const colon = s.indexOf(':', i);
    if (colon < 0) break;
    const type = s.slice(i, colon);
    let j = colon + 1;
    let value: string;
    if (s[j] === '"') {
      let k = j + 1;
      while (k < s.length && s[k] !== '"') k += s[k] === '\\' ? 2 : 1;
      try {
        value = String(JSON.parse(s.slice(j, k + 1)));
      } catch {
        break;
      }
      j = k + 1;
    } else {
      const end = s.indexOf(', ', j);
      const e = end < 0 ? s.length : end;
      value = s.slice(j, e);
      j = e;
    }
    out.push({ type, value });
    if (s.startsWith(', ', j)) j += 2;
    else if (j < s.length) break;
    i = j;
  }
  return out;
}

function canonicalIp(ip: string): string {
  if (!isIPv6(ip)) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname;
  } catch {
    return ip;
  }
}

/** Whether one of the certificate's DNS, IP, e-mail or URI SANs is exactly in the allow-list. */
export function sanAllowed(subjectaltname: string | undefined, allowed: readonly string[]): boolean {
  if (!subjectaltname) return false;
  const allowedIps = new Set(allowed.map((a) => `[${canonicalIp(a)}]`));
  for (const { type, value } of parseSubjectAltNames(subjectaltname)) {
    if (type === 'IP Address') {
      if (allowedIps.has(`[${canonicalIp(value)}]`)) return true;
    } else if ((type === 'DNS' || type === 'email' || type === 'URI') && allowed.includes(value)) return true;
  }
  return false;
}

/** Why a connection's client certificate is not acceptable under `spec`, or undefined if it is. */
export function clientCertificateProblem(socket: TLSSocket, spec: TlsSpec): string | undefined {
  const policy = clientAuthPolicy(spec.clientAuthType);
  if (!policy.requestCert) return undefined;
  const cert = socket.getPeerCertificate();
  const present = cert !== null && typeof cert === 'object' && Object.keys(cert).length > 0;
  if (policy.requireCert && !present) return 'no client certificate';
  if (policy.verify && present && !socket.authorized)
    return `client certificate not verified: ${String(socket.authorizationError ?? 'unknown')}`;
  if (
    spec.clientAllowedSans.length > 0 &&
    !sanAllowed(present ? cert.subjectaltname : undefined, spec.clientAllowedSans)
  )
    return 'client certificate has no allowed SAN';
  return undefined;
}
