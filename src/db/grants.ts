/**
 * What the exporter account may be missing for the collectors it runs. Without PROCESS,
 * information_schema.PROCESSLIST silently shows only the account's own threads and InnoDB tables
 * refuse; replica and binary-log statements need flavour- and version-specific privileges. Checked per
 * target for each collector set and logged, so a degraded view is never silent.
 *
 * Facts (MariaDB checked in test/integration/grants-warning.test.ts on 10.11):
 * - MariaDB >= 10.5.9: SHOW ALL SLAVES STATUS needs SLAVE MONITOR (or SUPER); REPLICATION CLIENT is
 *   now an alias of BINLOG MONITOR and is not enough. SHOW BINARY LOGS needs BINLOG MONITOR (= REPLICATION
 *   CLIENT, or SUPER). SHOW SLAVE HOSTS needs REPLICATION MASTER ADMIN (SUPER does not cover it).
 * - MariaDB 10.5.2-10.5.8 split SUPER differently; any of the monitoring privileges is accepted there.
 * - MySQL and MariaDB < 10.5: REPLICATION CLIENT (or SUPER) for replica status and binary logs;
 *   SHOW SLAVE HOSTS / SHOW REPLICAS need REPLICATION SLAVE (MySQL manual).
 */
import type { ServerInfo } from '../model/server-info.js';

const GLOBAL_GRANT = /^GRANT (.+) ON \*\.\* TO /i;

export interface PrivilegeNeed {
  readonly privilege: string;
  /** Any of these grants satisfies the need. */
  readonly anyOf: readonly string[];
  /** The collectors that need it; undefined: every scrape. */
  readonly collectors?: readonly string[];
  readonly why: string;
}

const PROCESS: PrivilegeNeed = {
  privilege: 'PROCESS',
  anyOf: ['PROCESS'],
  why: 'info_schema.processlist sees only the exporter’s own threads; InnoDB information_schema tables and engine_innodb_status are refused',
};

function atLeast(s: ServerInfo, major: number, minor: number, patch: number): boolean {
  const v = s.version;
  return v.major !== major ? v.major > major : v.minor !== minor ? v.minor > minor : v.patch >= patch;
}

/** The privileges each collector needs on `server`. */
export function privilegeNeeds(server: ServerInfo): PrivilegeNeed[] {
  if (server.flavor === 'mariadb' && atLeast(server, 10, 5, 9)) {
    return [
      PROCESS,
      {
        privilege: 'SLAVE MONITOR',
        anyOf: ['SLAVE MONITOR', 'REPLICA MONITOR', 'SUPER'],
        collectors: ['slave_status'],
        why: 'slave_status fails: SHOW ALL SLAVES STATUS needs SLAVE MONITOR since MariaDB 10.5.9 (REPLICATION CLIENT is BINLOG MONITOR there)',
      },
      {
        privilege: 'BINLOG MONITOR',
        anyOf: ['BINLOG MONITOR', 'REPLICATION CLIENT', 'SUPER'],
        collectors: ['binlog_size'],
        why: 'binlog_size fails: SHOW BINARY LOGS needs BINLOG MONITOR (REPLICATION CLIENT)',
      },
      {
        privilege: 'REPLICATION MASTER ADMIN',
        anyOf: ['REPLICATION MASTER ADMIN'],
        collectors: ['slave_hosts'],
        why: 'slave_hosts fails: SHOW SLAVE HOSTS needs REPLICATION MASTER ADMIN since MariaDB 10.5.9',
      },
    ];
  }
  if (server.flavor === 'mariadb' && atLeast(server, 10, 5, 0)) {
    const monitor = ['REPLICATION CLIENT', 'BINLOG MONITOR', 'SLAVE MONITOR', 'REPLICA MONITOR', 'SUPER'];
    return [
      PROCESS,
      {
        privilege: 'REPLICATION CLIENT',
        anyOf: [...monitor, 'REPLICATION SLAVE ADMIN'],
        collectors: ['slave_status', 'binlog_size'],
        why: 'slave_status and binlog_size fail',
      },
      {
        privilege: 'REPLICATION MASTER ADMIN',
        anyOf: ['REPLICATION MASTER ADMIN', 'REPLICATION SLAVE', 'SUPER'],
        collectors: ['slave_hosts'],
        why: 'slave_hosts fails',
      },
    ];
  }
  return [
    PROCESS,
    {
      privilege: 'REPLICATION CLIENT',
      anyOf: ['REPLICATION CLIENT', 'SUPER'],
      collectors: ['slave_status', 'binlog_size'],
      why: 'slave_status and binlog_size fail',
    },
    {
      privilege: 'REPLICATION SLAVE',
      anyOf: ['REPLICATION SLAVE'],
      collectors: ['slave_hosts'],
      why: 'slave_hosts fails: SHOW SLAVE HOSTS / SHOW REPLICAS need REPLICATION SLAVE',
    },
  ];
}

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

/** The needs of `collectors` on `server` that the grants do not satisfy. */
export function missingPrivileges(
  lines: readonly string[],
  server: ServerInfo,
  collectors: ReadonlySet<string>,
): PrivilegeNeed[] {
  const have = globalPrivileges(lines);
  if (have.has('ALL PRIVILEGES') || have.has('ALL')) return [];
  return privilegeNeeds(server).filter(
    (n) =>
      (n.collectors === undefined || n.collectors.some((c) => collectors.has(c))) &&
      !n.anyOf.some((p) => have.has(p)),
  );
}
