/**
 * Per-section authentication options for MySQL 8 and managed servers (docs/managed.md), carried
 * from the option file to the pool unchanged:
 * - `getServerPublicKey` (`get-server-public-key`): caching_sha2_password full authentication
 *   without TLS may ask the server for its RSA key and trust the first key it gets.
 * - `awsIam` (`aws-iam-auth`, `aws-region`): the password is an RDS IAM auth token, generated and
 *   refreshed by the exporter, sent with mysql_clear_password over verified TLS only.
 * - `cloudSqlProxy` (`cloud-sql-proxy`): the target is a Cloud SQL Auth Proxy on a loopback TCP
 *   port; the proxy is the TLS end, so that loopback connection counts as protected.
 */
export interface AuthExtras {
  readonly getServerPublicKey?: boolean;
  readonly awsIam?: { readonly region?: string };
  readonly cloudSqlProxy?: boolean;
}

/** 127.0.0.0/8, ::1 (also IPv4-mapped) and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^::ffff:/, '');
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}
