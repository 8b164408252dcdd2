/**
 * Server flavor and version, parsed once from `@@version` / `@@version_comment`. Collectors gate on
 * this with explicit per-flavor ranges: MariaDB 10.x is not "newer than MySQL 8.0".
 */
export type Flavor = 'mysql' | 'mariadb';

export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

export interface ServerInfo {
  readonly flavor: Flavor;
  readonly version: Version;
  /** Percona Server (a MySQL flavor with extra tables and plugins). */
  readonly percona: boolean;
  readonly versionString: string;
  readonly versionComment: string;
}

export function parseVersion(s: string): Version | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(s.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

export function parseServerInfo(version: string, comment = ''): ServerInfo | undefined {
  // MariaDB 10.x/11.x report e.g. "10.11.19-MariaDB-0+deb12u1"; old replication-compatible
  // builds prefix "5.5.5-". Strip that prefix so the real version is parsed.
  const cleaned = version.replace(/^5\.5\.5-/, '');
  const v = parseVersion(cleaned);
  if (!v) return undefined;
  const mariadb = /mariadb/i.test(version) || /mariadb/i.test(comment);
  return {
    flavor: mariadb ? 'mariadb' : 'mysql',
    version: v,
    percona: /percona/i.test(comment) || /percona/i.test(version),
    versionString: version,
    versionComment: comment,
  };
}

export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/**
 * A version range such as ">=8.0.22", ">=10.5 <11.4", "*" or "" (any). Conditions are
 * space-separated and all must hold. Operators: >=, >, <=, <, =.
 */
export type VersionRange = string;

export function parseRange(range: VersionRange): ((v: Version) => boolean) | undefined {
  const parts = range
    .trim()
    .split(/\s+/)
    .filter((p) => p.length > 0 && p !== '*');
  const tests: Array<(v: Version) => boolean> = [];
  for (const part of parts) {
    const m = /^(>=|<=|>|<|=)?(\d+(?:\.\d+){0,2})$/.exec(part);
    if (!m) return undefined;
    const op = m[1] ?? '=';
    const bound = parseVersion(m[2]!.includes('.') ? m[2]! : `${m[2]}.0`);
    if (!bound) return undefined;
    tests.push((v) => {
      const c = compareVersions(v, bound);
      switch (op) {
        case '>=':
          return c >= 0;
        case '>':
          return c > 0;
        case '<=':
          return c <= 0;
        case '<':
          return c < 0;
        default:
          return c === 0;
      }
    });
  }
  return (v) => tests.every((t) => t(v));
}

/** The keys of a support map: the two flavors, and `percona`, which narrows `mysql` for Percona Server. */
export const SUPPORT_KEYS = ['mysql', 'mariadb', 'percona'] as const;

/**
 * Flavor and version gates: `{mysql: ">=5.7", mariadb: ">=10.5", percona: ">=8.0"}`. MariaDB is its
 * own flavor (10.x is not "newer than MySQL 8.0"); a flavor that is absent is not supported; for
 * Percona Server `percona` decides when present, else `mysql` does.
 */
export type Support = Partial<Record<(typeof SUPPORT_KEYS)[number], VersionRange>>;

/** The one support predicate of hand-written collectors and query files, compiled once. */
export function supportPredicate(support: Support): (s: ServerInfo) => boolean {
  const compiled = new Map<string, (v: Version) => boolean>();
  for (const key of SUPPORT_KEYS) {
    const range = support[key];
    if (range === undefined) continue;
    const test = parseRange(range);
    if (!test) throw new Error(`invalid version range ${JSON.stringify(range)} for ${key}`);
    compiled.set(key, test);
  }
  return (s) => {
    const key = s.flavor === 'mysql' && s.percona && compiled.has('percona') ? 'percona' : s.flavor;
    return compiled.get(key)?.(s.version) ?? false;
  };
}

export function atLeast(s: ServerInfo, major: number, minor = 0, patch = 0): boolean {
  return compareVersions(s.version, { major, minor, patch }) >= 0;
}
