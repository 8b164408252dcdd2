/**
 * Flavor and version gates for query files: `{mysql: ">=5.7", mariadb: ">=10.5", percona: ">=8.0"}`.
 * MariaDB is its own flavor (10.x is not "newer than MySQL 8.0"); `percona` narrows `mysql` for Percona
 * Server, so a table that only Percona and MariaDB have is `{percona: "*", mariadb: "*"}`.
 */
import { parseRange, type ServerInfo, type Version } from '../db/server-info.js';
import type { QuerySupport } from './spec.js';

export const SUPPORT_KEYS = ['mysql', 'mariadb', 'percona'] as const;

/** Any flavor, any version: the default for operators' files that say nothing. */
export const ANY_SERVER: QuerySupport = { mysql: '*', mariadb: '*' };

export function supportsServer(support: QuerySupport): (s: ServerInfo) => boolean {
  const compiled = new Map<string, (v: Version) => boolean>();
  for (const key of SUPPORT_KEYS) {
    const range = support[key];
    if (range === undefined) continue;
    const test = parseRange(range);
    // Ranges are validated when the file is parsed; an invalid one here is a programming error.
    if (!test) throw new Error(`invalid version range for ${key}`);
    compiled.set(key, test);
  }
  return (s) => {
    const key = s.flavor === 'mysql' && s.percona && compiled.has('percona') ? 'percona' : s.flavor;
    return compiled.get(key)?.(s.version) ?? false;
  };
}
