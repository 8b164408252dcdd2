/**
 * A real 3-node MariaDB Galera cluster (Debian's galera-4, test/helpers/galera.ts). Node 1 is scraped
 * by ours (`--collect.all`) and by the Debian mysqld_exporter 0.14 (every collector flag it knows),
 * both running for the whole test, while node 1 goes through four states:
 *   Synced; desynced (`wsrep_desync=ON`); rejecting client queries (`wsrep_reject_queries=ALL`, which
 *   keeps existing connections but refuses statements that touch tables other than
 *   information_schema/performance_schema); non-Primary (the two other nodes frozen with SIGSTOP).
 * In each state: every family the reference serves, ours serves (documented differences aside), the
 * `mysql_global_status_wsrep_*` values are the server's `SHOW GLOBAL STATUS`, and the collectors whose
 * statements the node still accepts (innodb_cmp, innodb_cmpmem) succeed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { diffFamilyShapes, documentedDifferences, parseFamilyShapes } from '../helpers/exposition-shapes.js';
import { cleanup, cnfFor, startExporter, type TestExporter, writeMyCnf } from '../helpers/exporter.js';
import { type GaleraCluster, type GaleraNode, startGaleraCluster } from '../helpers/galera.js';
import { sqlString } from '../helpers/mariadb.js';
import { ReferenceExporter } from '../helpers/reference-exporter.js';

const USER = 'exporter';
const PASSWORD = 'exporter-pw';

// Go runtime and process metrics differ by nature (Go vs Node.js); they are not MySQL metrics.
const runtime = (name: string) => /^(go_|process_|promhttp_)/.test(name);

/** A status value as mysqld_exporter reads it (numbers; ON/OFF, YES/NO, Primary/non-Primary as 1/0). */
function statusNumber(raw: string): number | undefined {
  switch (raw.toLowerCase()) {
    case 'on':
    case 'yes':
    case 'primary':
      return 1;
    case 'off':
    case 'no':
    case 'disabled':
    case 'non-primary':
    case 'disconnected':
      return 0;
  }
  if (raw.trim() === '') return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

/** Unlabelled samples of the families whose name starts with `prefix`. */
function plainSamples(text: string, prefix: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix) || line.includes('{')) continue;
    const sp = line.lastIndexOf(' ');
    out.set(line.slice(0, sp), Number(line.slice(sp + 1)));
  }
  return out;
}

/** Collectors our exposition reports as failed (without the `collect.` prefix). */
function failedCollectors(text: string): string[] {
  return [...text.matchAll(/^mysql_exporter_collector_success\{collector="collect\.([^"]+)"\} 0$/gm)]
    .map((m) => m[1]!)
    .sort();
}

/** Collectors whose `mysql_exporter_scrape_errors_total` (the reference's) grew from `first` to `second`. */
function referenceFailed(first: string, second: string): string[] {
  const counts = (text: string) =>
    new Map(
      [...text.matchAll(/^mysql_exporter_scrape_errors_total\{collector="collect\.([^"]+)"\} (\S+)$/gm)].map(
        (m) => [m[1]!, Number(m[2])] as const,
      ),
    );
  const a = counts(first);
  return [...counts(second)]
    .filter(([c, n]) => n > (a.get(c) ?? 0))
    .map(([c]) => c)
    .sort();
}

interface StateReport {
  readonly state: string;
  readonly referenceFamilies: number;
  readonly ourFamilies: number;
  readonly referenceFailed: string[];
  readonly ourFailed: string[];
  readonly missing: string[];
}

describe('Galera: every collector on a node in each cluster state', () => {
  let cluster: GaleraCluster;
  let node: GaleraNode;
  let cnf: string;
  let ref: ReferenceExporter;
  let ours: TestExporter;
  const reports: StateReport[] = [];

  before(async () => {
    assert.ok(
      ReferenceExporter.available(),
      'prometheus-mysqld-exporter must be installed (bash .ci/run does it)',
    );
    cluster = await startGaleraCluster();
    node = cluster.nodes[0]!;
    // Created on node 1, replicated to the others; the grants mysqld_exporter's README lists.
    await node.sql(
      `CREATE USER '${USER}'@'127.0.0.1' IDENTIFIED BY ${sqlString(PASSWORD)} WITH MAX_USER_CONNECTIONS 10`,
      `GRANT PROCESS, REPLICATION CLIENT, SLAVE MONITOR, SELECT ON *.* TO '${USER}'@'127.0.0.1'`,
      'CREATE DATABASE app',
      'CREATE TABLE app.t (id INT AUTO_INCREMENT PRIMARY KEY, v INT, KEY v (v)) ENGINE=InnoDB',
      'INSERT INTO app.t (v) VALUES (1),(2),(3)',
    );
    cnf = writeMyCnf(cnfFor(node.port, USER, PASSWORD));
    ref = await ReferenceExporter.start(
      cnf,
      ReferenceExporter.collectorFlags().map((f) => `--${f}`),
    );
    ours = await startExporter(cnf, ['--collect.all']);
  });

  after(async () => {
    ref?.stop();
    await ours?.stop();
    for (const n of cluster?.nodes ?? []) n.signal('SIGCONT');
    await cluster?.destroy();
    if (cnf) cleanup(cnf.slice(0, cnf.lastIndexOf('/')));
    if (reports.length > 0) {
      const rows = reports.map(
        (r) =>
          `| ${r.state} | ${r.referenceFamilies} | ${r.ourFamilies} | ${r.referenceFailed.join(', ') || '-'} | ${r.ourFailed.join(', ') || '-'} | ${r.missing.join(', ') || '-'} |`,
      );
      console.log(
        [
          '| node state | reference families | our families | reference failed | ours failed | missing from ours |',
          '|---|---|---|---|---|---|',
          ...rows,
        ].join('\n'),
      );
    }
  });

  /** Scrapes both exporters (twice, so lazily created series exist) and checks the node's state. */
  async function check(state: string): Promise<void> {
    const theirFirst = await ref.scrape();
    await ours.get('/metrics');
    const theirText = await ref.scrape();
    const before = await node.wsrepStatus();
    const res = await ours.get('/metrics');
    const after = await node.wsrepStatus();
    assert.equal(res.status, 200);
    const ourText = res.body;
    assert.match(ourText, /^mysql_up 1$/m, `${state}: mysql_up`);

    const allowed = documentedDifferences();
    const diff = diffFamilyShapes(theirText, ourText, runtime);
    const missing = diff.missing.filter((n) => !allowed.has(n));
    const ourFailed = failedCollectors(ourText);
    reports.push({
      state,
      referenceFamilies: [...parseFamilyShapes(theirText).keys()].filter((n) => !runtime(n)).length,
      ourFamilies: [...parseFamilyShapes(ourText).keys()].filter((n) => !runtime(n)).length,
      referenceFailed: referenceFailed(theirFirst, theirText),
      ourFailed,
      missing,
    });
    assert.deepEqual(missing, [], `${state}: families the reference serves and ours does not`);
    assert.deepEqual(
      diff.typeMismatch.filter((d) => !allowed.has(d.split(':')[0]!)),
      [],
    );
    assert.deepEqual(
      diff.labelMismatch.filter((d) => !allowed.has(d.split(':')[0]!)),
      [],
    );
    // The plain statements of these default collectors work in every state of the node.
    for (const c of [
      'info_schema.innodb_cmp',
      'info_schema.innodb_cmpmem',
      'global_status',
      'global_variables',
    ]) {
      assert.ok(!ourFailed.includes(c), `${state}: ${c} failed`);
    }

    // wsrep values: ours are the server's, read just before and just after our scrape.
    const wsrep = plainSamples(ourText, 'mysql_global_status_wsrep_');
    let compared = 0;
    for (const [name, rawBefore] of before) {
      const a = statusNumber(rawBefore);
      const b = statusNumber(after.get(name) ?? '');
      if (a === undefined || b === undefined) continue;
      const series = `mysql_global_status_${name}`;
      const v = wsrep.get(series);
      assert.ok(v !== undefined, `${state}: ${series} (server: ${rawBefore}) missing from ours`);
      assert.ok(
        v >= Math.min(a, b) && v <= Math.max(a, b),
        `${state}: ${series} is ${v}, the server said ${rawBefore} then ${after.get(name)}`,
      );
      compared++;
    }
    assert.ok(compared >= 30, `${state}: only ${compared} numeric wsrep status values compared`);
    const clusterStatus = statusNumber(before.get('wsrep_cluster_status') ?? '');
    assert.equal(wsrep.get('mysql_global_status_wsrep_cluster_status'), clusterStatus);
  }

  test('Synced', async () => {
    const s = await node.wsrepStatus();
    assert.equal(s.get('wsrep_local_state_comment'), 'Synced');
    await check('Synced');
  });

  test('desynced (wsrep_desync=ON)', async () => {
    await node.sql('SET GLOBAL wsrep_desync=ON');
    try {
      await node.waitStatus(
        'desynced',
        30_000,
        (s) => s.get('wsrep_local_state_comment') === 'Donor/Desynced',
      );
      await check('Donor/Desynced');
    } finally {
      await node.sql('SET GLOBAL wsrep_desync=OFF');
      await cluster.waitAllSynced();
    }
  });

  test('rejecting client queries (wsrep_reject_queries=ALL)', async () => {
    await node.sql('SET GLOBAL wsrep_reject_queries=ALL');
    try {
      await check('reject_queries=ALL');
    } finally {
      // The admin's own statements are rejected too; SET is not.
      await node.sql('SET GLOBAL wsrep_reject_queries=NONE');
    }
  });

  test('non-Primary (the two other nodes frozen)', async () => {
    const others = cluster.nodes.slice(1);
    for (const n of others) n.signal('SIGSTOP');
    try {
      await node.waitStatus(
        'left the Primary component',
        60_000,
        (s) => s.get('wsrep_cluster_status') === 'non-Primary' && s.get('wsrep_ready') === 'OFF',
      );
      await check('non-Primary');
    } finally {
      for (const n of others) n.signal('SIGCONT');
      await cluster.waitAllSynced(120_000);
    }
  });
});
