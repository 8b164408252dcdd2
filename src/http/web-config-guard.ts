/**
 * What runs in front of the app for every request: URL and query-string limits, the web config's
 * state (a broken file answers 500), the client certificate checks, the configured security
 * headers, the rate limit, and basic auth. Errors here answer a bare 500, never a stack trace.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TLSSocket } from 'node:tls';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { BasicAuthenticator } from './basic-auth.js';
import { clientCertificateProblem } from './tls.js';
import type { RateLimitSpec } from './web-config.js';
import type { WebState } from './web-config-watch.js';

export interface RequestLimits {
  /** The request target (path and query), in characters. */
  readonly maxUrlLength: number;
  /** The query string alone (after `?`). */
  readonly maxQueryLength: number;
}

export const DEFAULT_REQUEST_LIMITS: RequestLimits = { maxUrlLength: 8192, maxQueryLength: 4096 };

export const AUTH_REALM = 'mysql-exporter';

export interface GuardOptions {
  readonly state: () => WebState;
  readonly authenticator: BasicAuthenticator;
  readonly log: Logger;
  readonly limits?: RequestLimits;
  readonly now?: () => number;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

function send(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  res.end(`${text}\n`);
}

/** A token bucket: `burst` tokens, one more every `intervalMs`. */
class TokenBucket {
  #tokens: number;
  #last: number;
  constructor(
    readonly spec: RateLimitSpec,
    now: number,
  ) {
    this.#tokens = spec.burst;
    this.#last = now;
  }
  take(now: number): boolean {
    this.#tokens = Math.min(this.spec.burst, this.#tokens + (now - this.#last) / this.spec.intervalMs);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

export function createGuard(app: Handler, opts: GuardOptions): Handler {
  const { log, authenticator } = opts;
  const limits = opts.limits ?? DEFAULT_REQUEST_LIMITS;
  const now = opts.now ?? (() => performance.now());
  let bucket: TokenBucket | undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    if (url.length > limits.maxUrlLength || (q >= 0 && url.length - q - 1 > limits.maxQueryLength))
      return send(res, 414, 'URI Too Long');

    const state = opts.state();
    if (state.kind === 'broken') return send(res, 500, 'Unable to parse web configuration file');
    const cfg = state.config;
    if (!cfg) return app(req, res);

    if (cfg.tls && req.socket instanceof TLSSocket) {
      const problem = clientCertificateProblem(req.socket, cfg.tls);
      if (problem) {
        log.debug('client certificate refused', { reason: problem });
        req.socket.destroy();
        return;
      }
    }
    for (const [name, value] of cfg.headers) res.setHeader(name, value);

    if (cfg.rateLimit) {
      const spec = cfg.rateLimit;
      if (bucket?.spec.intervalMs !== spec.intervalMs || bucket.spec.burst !== spec.burst)
        bucket = new TokenBucket(spec, now());
      if (!bucket.take(now())) return send(res, 429, 'Too Many Requests');
    }

    if (cfg.users.size > 0) {
      const outcome = await authenticator.authenticate(cfg.users, req.headers.authorization);
      if (outcome === 'busy') return send(res, 429, 'Too Many Requests', { 'Retry-After': '1' });
      if (outcome !== 'ok')
        return send(res, 401, 'Unauthorized', {
          'WWW-Authenticate': `Basic realm="${AUTH_REALM}", charset="UTF-8"`,
        });
    }
    app(req, res);
  };

  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error('request refused: internal error in front of the handler', { err: errorMessage(err) });
      if (!res.headersSent) send(res, 500, 'internal error');
      else res.destroy();
    });
  };
}
