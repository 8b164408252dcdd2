/**
 * HTTP basic auth against bcrypt hashes (exporter-toolkit's `basic_auth_users`).
 *
 * - Unknown users are compared against a dummy hash of the same cost as the slowest configured one,
 *   so they take as long as known users (no user enumeration), and never authenticate.
 * - Results are cached under SHA-256 of the length-prefixed (user, hash, password): no two different
 *   triples share a key, so the CVE-2022-46146 poisoning (a user name or password that embeds the
 *   hash) cannot produce a hit. Successes and failures are cached apart and bounded, so a flood of
 *   bad passwords cannot evict the good entries.
 * - Comparisons run one at a time off the event loop (see basic-auth-worker.ts); identical
 *   concurrent attempts share one comparison; past `maxPending` distinct comparisons waiting, the
 *   answer is 'busy' at once instead of queueing more CPU work.
 */
import { createHash, randomInt } from 'node:crypto';
import { type BcryptVerifier, BcryptWorker } from './basic-auth-worker.js';

export type AuthOutcome = 'ok' | 'denied' | 'busy';

export interface BasicAuthOptions {
  readonly verifier?: BcryptVerifier;
  /** Distinct comparisons that may wait at once; more get 'busy'. */
  readonly maxPending?: number;
  /** Entries kept in each of the success and failure caches. */
  readonly cacheSize?: number;
}

const BCRYPT_RE = /^\$2[aby]?\$(\d\d)\$[./A-Za-z0-9]{53}$/;
const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The cost of a well-formed bcrypt hash, or undefined when it is not one. */
export function bcryptCost(hash: string): number | undefined {
  const m = BCRYPT_RE.exec(hash);
  if (!m) return undefined;
  const cost = Number(m[1]);
  return cost >= 4 && cost <= 31 ? cost : undefined;
}

/** `Authorization: Basic <base64(user:password)>`; undefined when absent or malformed. */
export function parseBasicAuthorization(
  header: string | undefined,
): { readonly user: string; readonly password: string } | undefined {
  if (header === undefined) return undefined;
  const m = /^basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** An unambiguous cache key: SHA-256 over each field prefixed by its byte length. */
export function authCacheKey(user: string, hash: string, password: string): string {
  const h = createHash('sha256');
  for (const field of [user, hash, password]) {
    const bytes = Buffer.from(field, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.length);
    h.update(len);
    h.update(bytes);
  }
  return h.digest('hex');
}

/** A set that forgets its oldest entries past `capacity`. */
class BoundedSet {
  readonly #items = new Set<string>();
  constructor(readonly capacity: number) {}
  has(k: string): boolean {
    return this.#items.has(k);
  }
  add(k: string): void {
    this.#items.delete(k);
    this.#items.add(k);
    while (this.#items.size > this.capacity) {
      const oldest = this.#items.values().next();
      if (oldest.done) break;
      this.#items.delete(oldest.value);
    }
  }
  get size(): number {
    return this.#items.size;
  }
}

export class BasicAuthenticator {
  readonly #verifier: BcryptVerifier;
  readonly #maxPending: number;
  readonly #ok: BoundedSet;
  readonly #bad: BoundedSet;
  readonly #inflight = new Map<string, Promise<boolean>>();
  /** One dummy hash per cost, random for this process: it matches no password. */
  readonly #dummies = new Map<number, string>();
  #pending = 0;

  constructor(opts: BasicAuthOptions = {}) {
    this.#verifier = opts.verifier ?? new BcryptWorker();
    this.#maxPending = opts.maxPending ?? 256;
    this.#ok = new BoundedSet(opts.cacheSize ?? 1000);
    this.#bad = new BoundedSet(opts.cacheSize ?? 1000);
  }

  /** Checks an Authorization header against `users` (user -> bcrypt hash). */
  async authenticate(
    users: ReadonlyMap<string, string>,
    authorization: string | undefined,
  ): Promise<AuthOutcome> {
    const creds = parseBasicAuthorization(authorization);
    if (!creds) return 'denied';
    const known = users.get(creds.user);
    const hash = known ?? this.#dummy(users);
    const key = authCacheKey(creds.user, hash, creds.password);
    if (this.#ok.has(key)) return known !== undefined ? 'ok' : 'denied';
    if (this.#bad.has(key)) return 'denied';
    let result = this.#inflight.get(key);
    if (!result) {
      if (this.#pending >= this.#maxPending) return 'busy';
      this.#pending++;
      result = this.#verifier
        .compare(creds.password, hash)
        .then((ok) => {
          (ok ? this.#ok : this.#bad).add(key);
          return ok;
        })
        .finally(() => {
          this.#pending--;
          this.#inflight.delete(key);
        });
      this.#inflight.set(key, result);
    }
    const ok = await result;
    return ok && known !== undefined ? 'ok' : 'denied';
  }

  /** Comparisons running or waiting. */
  get pending(): number {
    return this.#pending;
  }

  close(): Promise<void> {
    return this.#verifier.close();
  }

  #dummy(users: ReadonlyMap<string, string>): string {
    let cost = 10;
    let first = true;
    for (const h of users.values()) {
      const c = bcryptCost(h);
      if (c === undefined) continue;
      cost = first ? c : Math.max(cost, c);
      first = false;
    }
    let d = this.#dummies.get(cost);
    if (!d) {
      let tail = '';
      for (let i = 0; i < 53; i++) tail += BCRYPT_ALPHABET[randomInt(BCRYPT_ALPHABET.length)];
      d = `$2b$${String(cost).padStart(2, '0')}$${tail}`;
      this.#dummies.set(cost, d);
    }
    return d;
  }
}
