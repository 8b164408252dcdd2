/**
 * What the exporter account may be missing. Without PROCESS, information_schema.PROCESSLIST silently
 * shows only the account's own threads and InnoDB tables refuse; without REPLICATION CLIENT (or
 * MariaDB's SLAVE MONITOR / BINLOG MONITOR) replica status and binary logs fail. Checked once per target
 * and logged, so a degraded view is never silent.
 */
const GLOBAL_GRANT = /^GRANT (.+) ON \*\.\* TO /i;

export interface PrivilegeNeed {
  readonly privilege: string;
  /** Any of these grants satisfies the need. */
  readonly anyOf: readonly string[];
  readonly why: string;
}

export const PRIVILEGE_NEEDS: readonly PrivilegeNeed[] = [
  {
    privilege: 'PROCESS',
    anyOf: ['PROCESS'],
    why: 'info_schema.processlist sees only the exporter’s own threads; InnoDB information_schema tables and engine_innodb_status are refused',
  },
  {
    privilege: 'REPLICATION CLIENT',
    anyOf: ['REPLICATION CLIENT', 'SLAVE MONITOR', 'BINLOG MONITOR', 'REPLICA MONITOR'],
    why: 'slave_status and binlog_size fail',
  },
];

/** Global privileges granted by `SHOW GRANTS` lines (upper-cased); ALL PRIVILEGES covers everything. */
export function globalPrivileges(lines: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const line of lines) {
    const m = GLOBAL_GRANT.exec(line);
    if (!m) continue;
    for (const p of m[1]!.split(',')) out.add(p.trim().toUpperCase());
  }
  return out;
}

export function missingPrivileges(lines: readonly string[]): PrivilegeNeed[] {
  const have = globalPrivileges(lines);
  if (have.has('ALL PRIVILEGES') || have.has('ALL')) return [];
  return PRIVILEGE_NEEDS.filter((n) => !n.anyOf.some((p) => have.has(p)));
}
