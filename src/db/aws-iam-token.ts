/**
 * RDS / Aurora IAM authentication tokens (docs/managed.md). A token is a SigV4-presigned
 * `connect` URL, valid for 15 minutes; it is only checked when a connection authenticates, so each
 * pool keeps one and makes a new one when the current one is 10 minutes old (5 minutes before it
 * expires). Generation uses `@aws-sdk/rds-signer`; credentials come from the AWS SDK's default
 * provider chain (environment, shared files, web identity / IRSA, ECS and EC2 instance metadata)
 * unless a test injects some. The token is a credential: it is never logged. The SDK is loaded on
 * first use (about 0.1 s and 12 MB RSS measured), so sections without aws-iam-auth never load it.
 */

/** RDS accepts a token for 15 minutes after it was signed. */
export const IAM_TOKEN_LIFETIME_MS = 15 * 60 * 1000;
/** A cached token is replaced once it is this old. */
export const IAM_TOKEN_REFRESH_MS = 10 * 60 * 1000;

export interface IamTokenOptions {
  /** The endpoint name the token is signed for (the RDS host name the client connects to). */
  readonly hostname: string;
  readonly port: number;
  readonly username: string;
  /** Omitted: the SDK's region chain (AWS_REGION, shared config). */
  readonly region?: string;
  /** Static credentials (tests); omitted: the SDK default chain. */
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
}

/** One token through @aws-sdk/rds-signer (signature version 4, X-Amz-Expires=900). */
export async function generateIamToken(opts: IamTokenOptions): Promise<string> {
  const { Signer } = await import('@aws-sdk/rds-signer');
  const signer = new Signer({
    hostname: opts.hostname,
    port: opts.port,
    username: opts.username,
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.credentials ? { credentials: { ...opts.credentials } } : {}),
  });
  return signer.getAuthToken();
}

/** A pool's token: made on first use, shared by concurrent connects, replaced before it expires. */
export class IamTokenSource {
  private current: { readonly token: string; readonly at: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly make: () => Promise<string>,
    private readonly now: () => number = Date.now,
  ) {}

  token(): Promise<string> {
    const c = this.current;
    if (c && this.now() - c.at < IAM_TOKEN_REFRESH_MS) return Promise.resolve(c.token);
    if (this.pending) return this.pending;
    const started = this.now();
    const p = this.make().then(
      (token) => {
        this.current = { token, at: started };
        this.pending = undefined;
        return token;
      },
      (err: unknown) => {
        this.pending = undefined;
        throw err;
      },
    );
    this.pending = p;
    return p;
  }
}
