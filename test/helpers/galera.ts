/**
 * A throwaway 3-node MariaDB Galera cluster on loopback for integration tests, from Debian's
 * `galera-4` provider and the `mariadbd` the other test servers use.
 *
 * - Every node gets free ports for SQL, group communication (gmcast), incremental state transfer (IST)
 *   and rsync state snapshot transfer (SST).
 * - `mariadbd` runs as the `mysql` user (`--user=mysql`): the rsync SST script refuses to work as
 *   root. The node directories are therefore owned by mysql, in a directory it can traverse.
 * - Node 1 starts from the test template datadir with `--wsrep-new-cluster` (its init file creates the
 *   admin account, which replicates); nodes 2 and 3 start empty and receive node 1's data by SST.
 * - `start` returns once every node reports `wsrep_cluster_size=3`, `Primary` and `Synced`.
 * Fails loudly (with the error logs) when the provider is missing or the cluster does not form.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type mysql from 'mysql2/promise';
import {
  ADMIN_PASSWORD,
  ADMIN_USER,
  connectAdmin,
  findBinary,
  freePort,
  runStatements,
  template,
} from './mariadb.js';
import { poll } from './poll.js';

export const GALERA_PROVIDER = '/usr/lib/galera/libgalera_smm.so';

/** Group-communication timeouts short enough for a partition test, long enough for a loaded machine. */
const PROVIDER_TIMING = [
  'evs.keepalive_period=PT1S',
  'evs.inactive_check_period=PT1S',
  'evs.suspect_timeout=PT4S',
  'evs.inactive_timeout=PT8S',
  'evs.install_timeout=PT8S',
  'gcache.size=32M',
];

interface Ports {
  readonly sql: number;
  readonly gmcast: number;
  readonly ist: number;
  readonly sst: number;
}

function userIds(name: string): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error(`no system user ${name}`);
  return { uid, gid };
}

function chownTree(path: string, ids: { uid: number; gid: number }): void {
  execFileSync('chown', ['-R', `${ids.uid}:${ids.gid}`, path]);
}

export class GaleraNode {
  private child: ChildProcess | undefined;
  private exited = false;
  /** How the last mariadbd of this node ended, for error messages. */
  private exitStatus = '';
  constructor(
    readonly index: number,
    readonly dir: string,
    readonly ports: Ports,
  ) {}

  get port(): number {
    return this.ports.sql;
  }
  get pid(): number | undefined {
    return this.child?.pid;
  }
  /** Whether this node's last mariadbd has ended. */
  get hasExited(): boolean {
    return this.exited;
  }
  get errorLog(): string {
    const p = join(this.dir, 'error.log');
    try {
      return existsSync(p) ? readFileSync(p, 'utf8') : '';
    } catch {
      return '';
    }
  }
  get gmcastAddress(): string {
    return `127.0.0.1:${this.ports.gmcast}`;
  }

  /** Spawns mariadbd; `clusterAddress` is `gcomm://` plus the peers (empty for the bootstrap node). */
  spawn(clusterAddress: string, bootstrap: boolean, extraArgs: readonly string[]): void {
    const mariadbd = findBinary(['mariadbd', 'mysqld']);
    const init = join(this.dir, 'init.sql');
    const args = [
      '--no-defaults',
      `--datadir=${join(this.dir, 'data')}`,
      `--socket=${join(this.dir, 'mysqld.sock')}`,
      `--port=${this.ports.sql}`,
      '--bind-address=127.0.0.1',
      `--pid-file=${join(this.dir, 'mysqld.pid')}`,
      `--log-error=${join(this.dir, 'error.log')}`,
      `--tmpdir=${join(this.dir, 'tmp')}`,
      '--user=mysql',
      '--skip-name-resolve',
      '--performance-schema=ON',
      '--max-connections=200',
      '--innodb-log-file-size=8M',
      '--innodb-buffer-pool-size=32M',
      '--binlog-format=ROW',
      '--default-storage-engine=InnoDB',
      '--innodb-autoinc-lock-mode=2',
      '--wsrep-on=ON',
      `--wsrep-provider=${GALERA_PROVIDER}`,
      `--wsrep-cluster-address=${clusterAddress}`,
      '--wsrep-cluster-name=exporter-test',
      `--wsrep-node-name=node${this.index}`,
      `--wsrep-node-address=127.0.0.1`,
      `--wsrep-node-incoming-address=127.0.0.1:${this.ports.sql}`,
      `--wsrep-provider-options=${[
        `gmcast.listen_addr=tcp://127.0.0.1:${this.ports.gmcast}`,
        `ist.recv_addr=127.0.0.1:${this.ports.ist}`,
        ...PROVIDER_TIMING,
      ].join(';')}`,
      '--wsrep-sst-method=rsync',
      `--wsrep-sst-receive-address=127.0.0.1:${this.ports.sst}`,
      ...(existsSync(init) ? [`--init-file=${init}`] : []),
      ...(bootstrap ? ['--wsrep-new-cluster'] : []),
      ...extraArgs,
    ];
    const child = spawn(mariadbd, args, { stdio: 'ignore' });
    this.child = child;
    this.exited = false;
    this.exitStatus = '';
    child.once('exit', (code, signal) => {
      this.exited = true;
      this.exitStatus = signal ? `killed by ${signal}` : `exit code ${code}`;
    });
  }

  /** An admin connection over TCP. */
  connect(): Promise<mysql.Connection> {
    return connectAdmin(this.ports.sql, 3000);
  }

  /** Runs statements as admin on a short-lived connection; returns the last result's rows. */
  async sql(...statements: string[]): Promise<Record<string, unknown>[]> {
    const c = await this.connect();
    try {
      return await runStatements(c, statements);
    } finally {
      await c.end().catch(() => {});
    }
  }

  /** `SHOW GLOBAL STATUS LIKE 'wsrep%'` as name -> value. */
  async wsrepStatus(): Promise<Map<string, string>> {
    const rows = await this.sql("SHOW GLOBAL STATUS LIKE 'wsrep%'");
    return new Map(rows.map((r) => [String(r.Variable_name).toLowerCase(), String(r.Value ?? '')]));
  }

  /** Polls until the node's wsrep status satisfies `ok`. */
  async waitStatus(
    what: string,
    timeoutMs: number,
    ok: (s: Map<string, string>) => boolean,
  ): Promise<Map<string, string>> {
    let last: Map<string, string> | undefined;
    try {
      return await poll(
        `node${this.index}: ${what}`,
        timeoutMs,
        async () => {
          if (this.exited) throw new Error(`mariadbd exited (${this.exitStatus})`);
          last = await this.wsrepStatus();
          return ok(last) ? last : undefined;
        },
        250,
      );
    } catch (err) {
      const brief = last
        ? ['wsrep_cluster_size', 'wsrep_cluster_status', 'wsrep_local_state_comment', 'wsrep_ready']
            .map((k) => `${k}=${last?.get(k)}`)
            .join(' ')
        : 'no status';
      throw new Error(`${(err as Error).message} (${brief})\nerror log:\n${this.errorLog.slice(-6000)}`);
    }
  }

  /** SIGSTOP / SIGCONT for partition tests. */
  signal(sig: NodeJS.Signals): void {
    if (this.child && !this.exited) this.child.kill(sig);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || this.exited) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
}

const synced = (size: number) => (s: Map<string, string>) =>
  s.get('wsrep_cluster_size') === String(size) &&
  s.get('wsrep_cluster_status') === 'Primary' &&
  s.get('wsrep_local_state_comment') === 'Synced' &&
  s.get('wsrep_ready') === 'ON';

export interface GaleraCluster {
  readonly nodes: readonly GaleraNode[];
  /** Waits until every node reports the full cluster, Primary and Synced. */
  waitAllSynced(timeoutMs?: number): Promise<void>;
  /** Stops every node and removes the directory. */
  destroy(): Promise<void>;
}

export interface GaleraOptions {
  readonly size?: number;
  /** Extra mariadbd arguments for every node. */
  readonly args?: readonly string[];
}

/** The provider and the rsync SST tools must be installed: a loud failure otherwise, never a skip. */
export function assertGaleraInstalled(): void {
  const missing = [GALERA_PROVIDER, '/usr/bin/rsync', '/usr/bin/wsrep_sst_rsync'].filter(
    (p) => !existsSync(p),
  );
  if (missing.length > 0)
    throw new Error(
      `Galera test prerequisites missing: ${missing.join(', ')}. Install them with: apt-get install -y galera-4 rsync`,
    );
}

export async function startGaleraCluster(opts: GaleraOptions = {}): Promise<GaleraCluster> {
  assertGaleraInstalled();
  const size = opts.size ?? 3;
  const mysqlIds = userIds('mysql');
  const tpl = template();
  // mkdtemp makes a 0700 directory: mysql must be able to traverse it to reach its own datadir.
  const root = mkdtempSync(join(tmpdir(), 'mysql-exporter-galera-'));
  chmodSync(root, 0o755);
  const nodes: GaleraNode[] = [];
  const cluster: GaleraCluster = {
    nodes,
    async waitAllSynced(timeoutMs = 90_000) {
      for (const n of nodes)
        await n.waitStatus(`cluster of ${size}, Primary, Synced`, timeoutMs, synced(size));
    },
    async destroy() {
      // Joiners first: the last node to leave is the one that bootstrapped.
      for (const n of [...nodes].reverse()) await n.stop().catch(() => {});
      rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    for (let i = 1; i <= size; i++) {
      const dir = join(root, `node${i}`);
      mkdirSync(join(dir, 'tmp'), { recursive: true });
      if (i === 1) {
        cpSync(join(tpl, 'data'), join(dir, 'data'), { recursive: true });
        const init = [
          `CREATE USER IF NOT EXISTS '${ADMIN_USER}'@'127.0.0.1' IDENTIFIED BY '${ADMIN_PASSWORD}'`,
          `GRANT ALL PRIVILEGES ON *.* TO '${ADMIN_USER}'@'127.0.0.1' WITH GRANT OPTION`,
        ];
        writeFileSync(join(dir, 'init.sql'), `${init.join(';\n')};\n`);
      } else {
        mkdirSync(join(dir, 'data'));
      }
      chownTree(dir, mysqlIds);
      chownSync(dir, mysqlIds.uid, mysqlIds.gid);
      const ports: Ports = {
        sql: await freePort(),
        gmcast: await freePort(),
        ist: await freePort(),
        sst: await freePort(),
      };
      nodes.push(new GaleraNode(i, dir, ports));
    }
    const [first] = nodes;
    if (!first) throw new Error('a cluster needs at least one node');
    first.spawn('gcomm://', true, opts.args ?? []);
    await first.waitStatus('bootstrap: Primary and Synced', 90_000, synced(1));
    // Joiners one at a time: two concurrent rsync SSTs from one donor double the load for nothing.
    // A joiner whose mariadbd ends during the join (seen once under heavy load, with no line in its
    // log) gets one more try from an empty datadir; a second failure fails the start, both reasons kept.
    for (const n of nodes.slice(1)) {
      const peers = nodes.filter((p) => p !== n).map((p) => p.gmcastAddress);
      const joinCluster = async () => {
        n.spawn(`gcomm://${peers.join(',')}`, false, opts.args ?? []);
        await n.waitStatus('joined: Synced', 120_000, (s) => s.get('wsrep_local_state_comment') === 'Synced');
      };
      try {
        await joinCluster();
      } catch (first) {
        if (!n.hasExited) throw first;
        process.stderr.write(
          `# galera harness: node${n.index} retried: ${(first as Error).message.split('\n')[0]}\n`,
        );
        const data = join(n.dir, 'data');
        rmSync(data, { recursive: true, force: true });
        mkdirSync(data);
        chownSync(data, mysqlIds.uid, mysqlIds.gid);
        try {
          await joinCluster();
        } catch (second) {
          throw new Error(`${(second as Error).message}\nfirst attempt: ${(first as Error).message}`);
        }
      }
    }
    await cluster.waitAllSynced();
  } catch (err) {
    await cluster.destroy();
    throw err;
  }
  return cluster;
}
