/** What a Target is made from: address, credentials and TLS, pool and statement budgets. */
import type { Logger } from '../log/logger.js';
import type { Address } from './address.js';
import type { AuthExtras } from './auth-extras.js';
import type { Secret } from '../model/secret.js';
import type { ConnectBackoff } from './backoff.js';
import type { ConnectGate } from './connect-gate.js';

export interface TlsSettings {
  readonly mode: 'off' | 'verify' | 'skip-verify';
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly serverName?: string;
  readonly minVersion?: 'TLSv1.2' | 'TLSv1.3';
}

export interface Credentials {
  readonly user: string;
  /** Masked in every string form (model/secret.ts); revealed to the driver only. */
  readonly password: Secret;
  readonly tls: TlsSettings;
}

export interface TargetOptions {
  readonly address: Address;
  readonly credentials: Credentials;
  readonly poolSize: number;
  /** Seconds; 0 leaves the server default. */
  readonly lockWaitTimeoutSeconds: number;
  /** Set log_slow_filter on each session (--exporter.log_slow_filter). */
  readonly logSlowFilter?: boolean;
  /** Server-side backstop for any one statement, ms. */
  readonly statementTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly log: Logger;
  /** Reads a TLS file (ca/cert/key) or the pinned public key by path; node:fs by default. */
  readonly readFile?: (path: string) => Buffer;
  /** Pinned RSA public key (PEM) for caching_sha2/sha256 full authentication without verified TLS. */
  readonly serverPublicKeyPath?: string;
  /** The section's `enable-cleartext-plugin` (still needs verified TLS or a socket; auth-plugins.ts). */
  readonly allowCleartext?: boolean;
  /** get-server-public-key, aws-iam-auth, cloud-sql-proxy (auth-extras.ts). */
  readonly auth?: AuthExtras;
  /** Bytes one statement may receive before its connection is destroyed (default 32 MiB). */
  readonly maxResultBytes?: number;
  /** Shared bound on handshakes in progress (target-registry.ts); none when absent. */
  readonly connectGate?: ConnectGate;
  /** Per-target backoff after failed connects (backoff.ts defaults when absent). */
  readonly backoff?: ConnectBackoff;
  /** How long an abandoned batch may run on before its connection is closed (default: the
   * server-side statement bound + 5 s). */
  readonly abandonGraceMs?: number;
}
