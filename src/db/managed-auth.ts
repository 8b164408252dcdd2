/** The AuthPolicy parts that come from a section's AuthExtras (auth-extras.ts): one place, one job. */
import type { AuthPolicy } from './auth-plugins.js';
import { IamTokenSource, generateIamToken } from './aws-iam-token.js';
import type { TargetOptions } from './target-options.js';

type ManagedPolicy = Pick<AuthPolicy, 'getServerPublicKey' | 'loopbackProxy' | 'iamToken'>;

/** Per pool: the IAM token source is created here, so each pool caches its own token. */
export function managedPolicy(opts: TargetOptions): ManagedPolicy {
  const extras = opts.auth;
  if (!extras) return {};
  const out: { -readonly [K in keyof ManagedPolicy]: ManagedPolicy[K] } = {};
  if (extras.getServerPublicKey) out.getServerPublicKey = true;
  if (extras.cloudSqlProxy) out.loopbackProxy = true;
  const iam = extras.awsIam;
  const a = opts.address;
  if (iam && a.kind === 'tcp') {
    const hostname = opts.credentials.tls.serverName ?? a.host;
    const source = new IamTokenSource(() =>
      generateIamToken({
        hostname,
        port: a.port,
        username: opts.credentials.user,
        ...(iam.region ? { region: iam.region } : {}),
      }),
    );
    out.iamToken = () => source.token();
  }
  return out;
}
