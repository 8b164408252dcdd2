/**
 * Every PromQL expression of the Grafana dashboard and of the rules, evaluated by a real Prometheus
 * (Debian `prometheus`, with our rule files loaded) scraping our exporter (configured like the
 * compose `exporter` service, with deploy/exporter/my.cnf) on a throwaway MariaDB replica whose
 * primary ran deploy/mariadb/init.sql, under a small workload. All must parse; all must return data
 * except the ones listed in NO_DATA, which must then indeed return nothing; no alert may hold.
 *
 * MYSQL_EXPORTER_TEST_TARGET=host:port points it at an existing server instead, e.g. the compose
 * stack's MySQL (127.0.0.1:13306) or MariaDB (127.0.0.1:13307); see deploy/README.md.
 * Shared parsing: test/helpers/deploy-files.ts.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import {
  EXPORTER_CNF,
  RULES_DIR,
  arr,
  at,
  binary,
  composeConfig,
  dashboard,
  dashboardTargets,
  flagValue,
  metricName,
  obj,
  rules,
  selectorsOf,
  stopChild,
} from '../helpers/deploy-files.js';
import { type TestExporter, startExporter } from '../helpers/exporter.js';
import { type ReplicationPair, freePort, startReplicationPair } from '../helpers/mariadb.js';
import { poll } from '../helpers/poll.js';
import { tempDir } from '../helpers/tmp.js';

/** What the server under test is: its flavor, and whether it is a standalone server or a replica. */
type Situation = 'mariadb' | 'mysql' | 'standalone';

/**
 * Series a server cannot feed in some situations, with the exporter configured as the compose
 * `exporter` service. An expression that selects one of them may return nothing there; every other
 * expression must return at least one finite sample. On the built-in server (a MariaDB replica)
 * each entry that applies must indeed be empty, so that the list stays true.
 */
const NOT_A_REPLICA = 'a standalone server: the replica status statement returns no rows';
const NO_HEARTBEAT = 'collect.heartbeat is off (it needs a pt-heartbeat table)';
const NO_WSREP = 'MySQL has no Galera (wsrep) variables';
const NO_DATA: Record<string, { readonly why: string; readonly on: readonly Situation[] }> = {
  mysql_global_status_innodb_row_ops_total: {
    why: 'MariaDB has no Innodb_rows_* status variables (MySQL and Percona Server only)',
    on: ['mariadb'],
  },
  mysql_slave_status_seconds_behind_master: { why: NOT_A_REPLICA, on: ['standalone'] },
  mysql_slave_status_sql_delay: { why: NOT_A_REPLICA, on: ['standalone'] },
  mysql_slave_status_slave_io_running: { why: NOT_A_REPLICA, on: ['standalone'] },
  mysql_slave_status_slave_sql_running: { why: NOT_A_REPLICA, on: ['standalone'] },
  'instance:mysql_slave_lag_seconds': { why: NOT_A_REPLICA, on: ['standalone'] },
  mysql_heartbeat_now_timestamp_seconds: { why: NO_HEARTBEAT, on: ['mariadb', 'mysql'] },
  mysql_heartbeat_stored_timestamp_seconds: { why: NO_HEARTBEAT, on: ['mariadb', 'mysql'] },
  'instance:mysql_heartbeat_lag_seconds': { why: NO_HEARTBEAT, on: ['mariadb', 'mysql'] },
  mysql_global_status_wsrep_local_state: {
    why: 'not a Galera node: MariaDB reports wsrep_local_state only inside a cluster',
    on: ['mariadb', 'mysql'],
  },
  mysql_global_status_wsrep_ready: { why: NO_WSREP, on: ['mysql'] },
  mysql_global_status_wsrep_cluster_status: { why: NO_WSREP, on: ['mysql'] },
  mysql_global_variables_wsrep_on: { why: NO_WSREP, on: ['mysql'] },
  mysql_global_variables_wsrep_desync: { why: NO_WSREP, on: ['mysql'] },
};

interface Sample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

interface PromResult {
  readonly status: string;
  readonly error?: string;
  readonly data?: { readonly resultType: string; readonly result: Sample[] };
}

function splitSql(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => !l.trim().startsWith('--'))
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

describe('every PromQL expression of the dashboard and the rules, on a real Prometheus scraping our exporter', () => {
  const external = process.env.MYSQL_EXPORTER_TEST_TARGET;
  const dir = tempDir('mysql-exporter-prom-');
  let pair: ReplicationPair | undefined;
  let exp: TestExporter | undefined;
  let prom: ChildProcess | undefined;
  let promBase = '';
  const situations = new Set<Situation>();
  let stopWorkload = async () => {};
  const workloadErrors: string[] = [];
  const promLog = join(dir, 'prometheus.log');

  const query = async (expr: string): Promise<PromResult> => {
    const res = await fetch(`${promBase}/api/v1/query?${new URLSearchParams({ query: expr })}`);
    return (await res.json()) as PromResult;
  };
  const promLogTail = () => (existsSync(promLog) ? readFileSync(promLog, 'utf8').slice(-3000) : '');
  const applies = (name: string) => (NO_DATA[name]?.on ?? []).some((x) => situations.has(x));
  const noDataExpected = (expr: string) => selectorsOf(expr).map(metricName).filter(applies);
  const where = () => [...situations].join(' ');

  before(
    async () => {
      const prometheus = binary('prometheus', 'prometheus');
      // The exporter exactly as the compose `exporter` service runs it, but on this server.
      const services = obj(composeConfig().services);
      const composeArgs = arr(obj(services.exporter).command).map(String);
      let address: string;
      let writer: mysql.Connection;
      let reader: mysql.Connection;
      if (external) {
        address = external;
        const [host = '127.0.0.1', port = '3306'] = external.split(':');
        writer = await mysql.createConnection({
          host,
          port: Number(port),
          user: process.env.MYSQL_EXPORTER_TEST_ADMIN_USER ?? 'root',
          password: process.env.MYSQL_EXPORTER_TEST_ADMIN_PASSWORD ?? 'root-demo-password',
        });
        reader = writer;
      } else {
        // A MariaDB primary and replica; the exporter watches the replica, so that the replication
        // expressions have something to show. The compose MariaDB's init script is run for real on
        // the primary (account, grants, demo table) and reaches the replica through replication.
        pair = await startReplicationPair();
        await pair.primary.sql(...splitSql(readFileSync(at('deploy/mariadb/init.sql'), 'utf8')));
        await pair.catchUp();
        const replica = pair.replica;
        // Like the compose `exporter`, over the unix socket when the compose file says so.
        const composeAddress = flagValue(composeArgs, 'mysqld.address') ?? '';
        address = composeAddress.startsWith('unix://')
          ? `unix://${replica.socket}`
          : `127.0.0.1:${replica.port}`;
        writer = await pair.primary.connect();
        reader = await replica.connect();
      }
      const args = composeArgs
        .filter((a) => !a.startsWith('--config.my-cnf='))
        .map((a) => (a.startsWith('--mysqld.address=') ? `--mysqld.address=${address}` : a));
      exp = await startExporter(process.env.MYSQL_EXPORTER_TEST_MY_CNF ?? EXPORTER_CNF, args);

      const [v] = (await reader.query('SELECT VERSION() AS v')) as unknown as [{ v: string }[]];
      situations.add(/mariadb/i.test(v[0]?.v ?? '') ? 'mariadb' : 'mysql');

      // A small workload: writes and explicit transactions (on the primary), reads and sorts (on the
      // server the exporter watches).
      let running = true;
      const loop = (async () => {
        let i = 0;
        while (running) {
          try {
            await writer.query('INSERT INTO demo.events (payload) VALUES (?)', [`event ${i++}`]);
            await writer.query('BEGIN');
            await writer.query("UPDATE demo.events SET payload = CONCAT(payload, '') WHERE id = 1");
            await writer.query('COMMIT');
            await writer.query('BEGIN');
            await writer.query('DELETE FROM demo.events WHERE id < 0');
            await writer.query('ROLLBACK');
            await reader.query('BEGIN');
            await reader.query('SELECT COUNT(*) FROM demo.events');
            await reader.query('COMMIT');
            await reader.query('SELECT payload FROM demo.events ORDER BY RAND() LIMIT 5');
          } catch (err) {
            workloadErrors.push((err as Error).message);
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      stopWorkload = async () => {
        running = false;
        await loop;
        await writer.end().catch(() => {});
        if (reader !== writer) await reader.end().catch(() => {});
      };

      // Prometheus: our rule files, scraping the exporter every second.
      const port = await freePort();
      promBase = `http://127.0.0.1:${port}`;
      const cfg = [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        '  evaluation_interval: 1s',
        'rule_files:',
        `  - ${JSON.stringify(join(RULES_DIR, '*.yml'))}`,
        'scrape_configs:',
        '  - job_name: mysql',
        '    static_configs:',
        `      - targets: [${JSON.stringify(exp.url.replace(/^http:\/\//, ''))}]`,
        '',
      ].join('\n');
      writeFileSync(join(dir, 'prometheus.yml'), cfg);
      const logFd = openSync(promLog, 'a');
      prom = spawn(
        prometheus,
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--log.level=warn',
        ],
        { cwd: dir, stdio: ['ignore', logFd, logFd] },
      );
      const p = prom;
      await poll(`Prometheus did not become ready:\n${promLogTail()}`, 30_000, async () => {
        if (p.exitCode !== null) throw new Error(`prometheus exited: ${promLogTail()}`);
        return (await fetch(`${promBase}/-/ready`)).ok ? true : undefined;
      });
      // A few scrapes, and every rule evaluated after them.
      await poll(`no scrapes of ${exp.url}:\n${promLogTail()}`, 60_000, async () => {
        const r = await query('count_over_time(mysql_up[1m])');
        const n = Number(r.data?.result[0]?.value[1] ?? 0);
        return n >= 8 ? true : undefined;
      });
      await poll('rules not evaluated', 30_000, async () => {
        const r = (await (await fetch(`${promBase}/api/v1/rules`)).json()) as {
          data: { groups: { rules: { health: string }[] }[] };
        };
        const all = r.data.groups.flatMap((g) => g.rules);
        return all.length > 0 && all.every((x) => x.health !== 'unknown') ? true : undefined;
      });
      await new Promise((r) => setTimeout(r, 2000));
      const replicating = await query('mysql_slave_status_slave_sql_running');
      if ((replicating.data?.result ?? []).length === 0) situations.add('standalone');
      if (!external) assert.ok(!situations.has('standalone'), 'the exporter should see the replica status');
    },
    { timeout: 180_000 },
  );

  after(async () => {
    await stopWorkload();
    await stopChild(prom);
    await exp?.stop();
    await pair?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the scrape works: mysql_up 1, every collector succeeds, the workload ran', async () => {
    const up = await query('mysql_up');
    assert.equal(up.data?.result[0]?.value[1], '1', JSON.stringify(up));
    const failed = await query('mysql_exporter_collector_success == 0');
    assert.deepEqual(failed.data?.result, [], 'failing collectors');
    assert.deepEqual(workloadErrors.slice(0, 5), []);
  });

  test("the dashboard's template variables find the target", async () => {
    for (const label of ['job', 'instance']) {
      const r = (await (
        await fetch(
          `${promBase}/api/v1/label/${label}/values?${new URLSearchParams({ 'match[]': 'mysql_up' })}`,
        )
      ).json()) as { data: string[] };
      assert.equal(r.data.length, 1, `label_values(mysql_up, ${label})`);
    }
  });

  test('every dashboard expression parses, and returns data unless the server cannot feed it', async (t) => {
    const job = 'mysql';
    const instance = exp!.url.replace(/^http:\/\//, '');
    const problems: string[] = [];
    const targets = dashboardTargets(dashboard());
    assert.ok(targets.length > 30);
    let withData = 0;
    for (const target of targets) {
      const expr = target.expr
        .replace(/\$\{?__rate_interval\}?/g, '15s')
        .replace(/\$\{?__interval\}?/g, '5s')
        .replace(/\$\{?__range\}?/g, '1m')
        .replace(/\$\{?job\}?/g, job)
        .replace(/\$\{?instance\}?/g, instance.replace(/\./g, '\\\\.'));
      assert.doesNotMatch(expr, /\$/, `${target.panel}: unsubstituted variable in ${expr}`);
      const r = await query(expr);
      if (r.status !== 'success') {
        problems.push(`${target.panel}: ${expr}\n  -> ${r.error}`);
        continue;
      }
      const finite = (r.data?.result ?? []).filter((s) => Number.isFinite(Number(s.value[1])));
      const why = noDataExpected(expr);
      if (finite.length > 0) withData++;
      else if (why.length === 0) problems.push(`${target.panel}: no data for ${expr}`);
      else t.diagnostic(`no data (${where()}), as expected (${why.join(', ')}): ${target.panel}`);
    }
    assert.deepEqual(problems, []);
    t.diagnostic(`${withData} of ${targets.length} dashboard queries returned data (${where()})`);
  });

  test('every recording rule expression parses and returns data unless the server cannot feed it', async () => {
    const problems: string[] = [];
    for (const r of rules().filter((x) => x.kind === 'record')) {
      const res = await query(r.expr);
      if (res.status !== 'success') problems.push(`${r.name}: ${res.error}`);
      else if ((res.data?.result ?? []).length === 0 && noDataExpected(r.expr).length === 0)
        problems.push(`${r.name}: no data`);
      // The recorded series exists too (Prometheus evaluated the rule).
      const rec = await query(r.name);
      if ((rec.data?.result ?? []).length === 0 && !applies(r.name)) problems.push(`${r.name}: not recorded`);
    }
    assert.deepEqual(problems, []);
  });

  test('every alert expression parses, and every series it selects exists unless the server cannot feed it', async () => {
    const problems: string[] = [];
    for (const a of rules().filter((x) => x.kind === 'alert')) {
      const res = await query(a.expr);
      if (res.status !== 'success') {
        problems.push(`${a.name}: ${res.error}`);
        continue;
      }
      // On a healthy server under a light load no alert condition holds, except MySQLRestarted
      // (the server may just have started).
      if (a.name !== 'MySQLRestarted' && (res.data?.result ?? []).length > 0)
        problems.push(`${a.name} would fire: ${JSON.stringify(res.data?.result)}`);
      const selectors = selectorsOf(a.expr);
      assert.ok(selectors.length > 0, a.name);
      for (const s of selectors) {
        if (applies(metricName(s))) continue;
        const sr = await query(s);
        if ((sr.data?.result ?? []).length === 0) problems.push(`${a.name}: ${s} has no data`);
      }
    }
    assert.deepEqual(problems, []);
  });

  test('Prometheus evaluates every rule group without errors', async () => {
    const r = (await (await fetch(`${promBase}/api/v1/rules`)).json()) as {
      data: { groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[] };
    };
    const loaded = r.data.groups.flatMap((g) => g.rules);
    assert.equal(loaded.length, rules().length, 'every rule loaded');
    const bad = loaded
      .filter((x) => x.health !== 'ok')
      .map((x) => `${x.name}: ${x.health} ${x.lastError ?? ''}`);
    assert.deepEqual(bad, []);
  });

  test('the no-data exceptions are still true on this server', { skip: external !== undefined }, async () => {
    const used = new Set(
      [...dashboardTargets(dashboard()).map((t) => t.expr), ...rules().map((r) => r.expr)].flatMap((e) =>
        selectorsOf(e).map(metricName),
      ),
    );
    for (const [name, x] of Object.entries(NO_DATA)) {
      assert.ok(used.has(name) || name.includes(':'), `${name} is listed but no expression uses it`);
      if (!x.on.some((y) => situations.has(y))) continue;
      const r = await query(name);
      assert.deepEqual(r.data?.result, [], `${name} has data now: remove it from NO_DATA (${x.why})`);
    }
    // Sanity of the lexical selector extraction the checks above rely on.
    assert.deepEqual(selectorsOf('sum by (job) (rate(a_total{x="y"}[5m])) / on (job) b and c'), [
      'a_total{x="y"}',
      'b',
      'c',
    ]);
  });
});
