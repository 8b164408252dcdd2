/**
 * The canary password: it doubles as the exporter account's password in every fault test, and the
 * suite scans everything the exporter produced (log lines, HTTP bodies, process arguments, the
 * MariaDB error log) for it in each of the forms it could leak in.
 */
import { execFileSync } from 'node:child_process';

export const CANARY = 'Cn4ry#?@x;"\' %/=+ü';

/** Every form the password could be printed in: raw, URL-encoded, JSON-escaped, base64, and a stem. */
export function canaryForms(secret: string = CANARY): string[] {
  const forms = new Set<string>([
    secret,
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%20/g, '+'),
    JSON.stringify(secret).slice(1, -1),
    Buffer.from(secret, 'utf8').toString('base64'),
    Buffer.from(secret, 'utf8').toString('base64url'),
    Buffer.from(secret, 'utf8').toString('hex'),
    // The first characters alone (a truncated secret is still a leak).
    secret.slice(0, 5),
  ]);
  return [...forms].filter((f) => f.length >= 5);
}

export interface CanaryHit {
  readonly where: string;
  readonly form: string;
  readonly excerpt: string;
}

/** Scans named texts; returns one hit per (text, form). */
export function scanForCanary(
  sources: Readonly<Record<string, readonly string[]>>,
  secret: string = CANARY,
): CanaryHit[] {
  const hits: CanaryHit[] = [];
  const forms = canaryForms(secret);
  for (const [where, texts] of Object.entries(sources)) {
    for (const text of texts) {
      for (const form of forms) {
        const i = text.indexOf(form);
        if (i >= 0) hits.push({ where, form, excerpt: text.slice(Math.max(0, i - 40), i + 40) });
      }
    }
  }
  return hits;
}

/**
 * The argument lists (`ps -o args`) of the given processes (the exporter, the servers, this test
 * process). Only ours: other people's shells on the same machine may well be grepping for the canary.
 */
export function processArgs(pids: readonly (number | undefined)[]): string[] {
  const list = [process.pid, ...pids].filter((p): p is number => p !== undefined && p > 0);
  try {
    return execFileSync('ps', ['-o', 'args=', '-p', list.join(',')], { encoding: 'utf8' }).split('\n');
  } catch {
    return [];
  }
}
