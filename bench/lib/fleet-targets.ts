/**
 * The fleet benchmark's targets, two kinds (BENCH_FLEET_DB):
 * - `mariadb`: distinct ports of the delaying proxy (proxy-child.ts) in front of the one bench
 *   MariaDB; the server-side CPU reported is the proxy's (MariaDB's own is not counted).
 * - `canned`: distinct ports of the canned database (canned-child.ts), replaying one recorded scrape
 *   of our exporter against the bench MariaDB, which is stopped before the measurement; the
 *   server-side CPU reported is the canned server's, the whole database side.
 */
import type mysql from 'mysql2/promise';
import type { Recording } from './canned-db.js';
import { record } from './canned-db.js';
import { CannedProcess } from './canned-child.js';
import { PROMETHEUS_ACCEPT } from './http.js';
import { ExporterProcess, writeCnf } from './proc.js';
import { ProxyProcess } from './proxy-child.js';

export interface FleetTargets {
  /** One listening port per target. */
  readonly ports: readonly number[];
  /** The port written into the exporter's .my.cnf (its /metrics target; the fleet uses /probe). */
  readonly cnfPort: number;
  /** CPU so far of the process serving the targets (proxy or canned database), ms. */
  cpuMs(): number;
  /** Connections accepted and client flights so far, over all ports. */
  counts(): Promise<{ connections: number; flights: number }>;
  /** The exporter's database sessions now. */
  sessions(): Promise<number>;
  /** Problems to report (statements the canned database had no answer for). */
  problems(): Promise<string | undefined>;
  close(): Promise<void>;
}

export async function proxyTargets(
  n: number,
  dbPort: number,
  oneWayMs: number,
  admin: mysql.Connection,
  user: string,
): Promise<FleetTargets> {
  const proxy = await ProxyProcess.start({
    upstream: { host: '127.0.0.1', port: dbPort },
    oneWayMs,
    ports: n,
  });
  return {
    ports: proxy.ports,
    cnfPort: dbPort,
    cpuMs: () => proxy.cpuMs(),
    async counts() {
      let connections = 0;
      let flights = 0;
      for (const s of await proxy.stats()) {
        connections += s.connections;
        flights += s.flights;
      }
      return { connections, flights };
    },
    async sessions() {
      const [rows] = await admin.query('SHOW PROCESSLIST');
      return (rows as Array<{ User?: string }>).filter((r) => r.User === user).length;
    },
    problems: async () => undefined,
    close: () => proxy.close(),
  };
}

export async function cannedTargets(n: number, recording: Recording): Promise<FleetTargets> {
  const canned = await CannedProcess.start(recording, n);
  return {
    ports: canned.ports,
    cnfPort: canned.ports[0]!,
    cpuMs: () => canned.cpuMs(),
    async counts() {
      const s = await canned.stats();
      return { connections: s.connections, flights: s.flights };
    },
    // Every connection to the canned database is the exporter's.
    sessions: async () => (await canned.stats()).open,
    async problems() {
      const s = await canned.stats();
      return s.unknown > 0
        ? `${s.unknown} statements had no recorded answer (error 1064), e.g. ${s.unknownTexts.join(' | ')}`
        : undefined;
    },
    close: () => canned.close(),
  };
}

/**
 * Records what the canned targets replay: a fresh exporter (the fleet's own entry and arguments)
 * probes the bench MariaDB `scrapes` times through the recording relay, as the fleet probes its
 * targets, and is stopped (its connections closed) before the recording is taken.
 */
export async function recordFleetScrape(opts: {
  readonly entry: string;
  readonly dbPort: number;
  readonly user: string;
  readonly password: string;
  readonly args: readonly string[];
  readonly scrapes: number;
  readonly timeoutS: number;
}): Promise<{ recording: Recording; statements: string[] }> {
  const { recording, statements } = await record({ host: '127.0.0.1', port: opts.dbPort }, async (port) => {
    const cnf = writeCnf(port, opts.user, opts.password);
    const exp = await ExporterProcess.start('ours', opts.entry, cnf, opts.args);
    try {
      for (let i = 0; i < opts.scrapes; i++) {
        const res = await fetch(`${exp.url}/probe?target=127.0.0.1:${port}`, {
          headers: {
            'x-prometheus-scrape-timeout-seconds': String(opts.timeoutS),
            accept: PROMETHEUS_ACCEPT,
          },
        });
        const body = await res.text();
        if (res.status !== 200 || !/^mysql_up 1$/m.test(body) || /_collector_success\{[^}]*\} 0$/m.test(body))
          throw new Error(`recording scrape ${i + 1} failed (HTTP ${res.status}):\n${body.slice(0, 2000)}`);
      }
    } finally {
      await exp.stop();
    }
  });
  return { recording, statements };
}
