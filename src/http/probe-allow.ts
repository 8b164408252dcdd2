/**
 * The /probe allow decision: is this target named by a `--probe.allow` pattern (parsed by
 * src/config/allow-rule.ts)? 400 for a host that is not a name or canonical IP, 403 for one no
 * pattern allows.
 */
import type { AllowRule } from '../config/allow-rule.js';
import { classifyHost, ipBits } from '../config/allow-rule.js';
import type { Address } from '../db/address.js';

function inCidr(rule: Extract<AllowRule, { kind: 'cidr' }>, host: string): boolean {
  const b = ipBits(host);
  if (!b || b.family !== rule.family) return false;
  const width = rule.family === 4 ? 32n : 128n;
  const shift = width - BigInt(rule.prefix);
  return b.bits >> shift === rule.bits >> shift;
}

export type AllowDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly status: 400 | 403; readonly reason: string };

export function checkTarget(rules: readonly AllowRule[], a: Address): AllowDecision {
  if (a.kind === 'socket') {
    return rules.some((r) => r.kind === 'socket' && r.path === a.path)
      ? { allowed: true }
      : { allowed: false, status: 403, reason: 'target is not allowed by --probe.allow' };
  }
  const kind = classifyHost(a.host);
  if (!kind)
    return {
      allowed: false,
      status: 400,
      reason: 'target host must be a host name or a canonical IP address',
    };
  const host = a.host.toLowerCase();
  for (const r of rules) {
    if (
      r.kind === 'exact' &&
      r.port === a.port &&
      (r.host === host || (kind === 'ip' && ipEqual(r.host, host)))
    )
      return { allowed: true };
    if (
      r.kind === 'name' &&
      kind === 'name' &&
      (r.port === undefined || r.port === a.port) &&
      r.pattern.test(host)
    )
      return { allowed: true };
    if (r.kind === 'cidr' && kind === 'ip' && (r.port === undefined || r.port === a.port) && inCidr(r, host))
      return { allowed: true };
  }
  return { allowed: false, status: 403, reason: 'target is not allowed by --probe.allow' };
}

function ipEqual(a: string, b: string): boolean {
  const x = ipBits(a);
  const y = ipBits(b);
  return x !== undefined && y !== undefined && x.family === y.family && x.bits === y.bits;
}
