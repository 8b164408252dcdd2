/**
 * Users of the prometheus-community `prometheus-mysql-exporter` Helm chart switch by changing the image:
 * our command, started with what the chart's templates pass (deploy/kubernetes/README.md lists them),
 * runs against a real MariaDB and answers where the chart's Service, probes and ServiceMonitor look.
 * - args: --log.level, --log.format, every collector of the chart's values.yaml as `--collect.X`,
 *   `--no-collect.X` or `--collect.X VALUE` (a separate argument), --config.my-cnf (chart 2.x mounts
 *   the option file from a Secret);
 * - env: DATA_SOURCE_NAME=user:$(DB_PASSWORD)@(host:port)/ (chart 1.x; the kubelet expands
 *   $(DB_PASSWORD) before the process starts);
 * - port 9104 (here a free one), liveness and readiness GET /, /metrics, and the multi-target mode's
 *   /probe?target=HOST:PORT&auth_module=client.NAME with [client.NAME] sections in the option file.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type MariaDb, createExporterUser, freePort, startMariaDb } from '../helpers/mariadb.js';
import { poll } from '../helpers/poll.js';
import { tempDir } from '../helpers/tmp.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const PASSWORD = 'chart-pw';

/** values.yaml `collectors:` (commented defaults), rendered as the deployment template renders them. */
export const CHART_COLLECTOR_ARGS: readonly string[] = [
  '--no-collect.auto_increment.columns',
  '--no-collect.binlog_size',
  '--no-collect.engine_innodb_status',
  '--no-collect.engine_tokudb_status',
  '--collect.global_status',
  '--collect.global_variables',
  '--no-collect.info_schema.clientstats',
  '--no-collect.info_schema.innodb_metrics',
  '--no-collect.info_schema.innodb_tablespaces',
  '--no-collect.info_schema.innodb_cmp',
  '--no-collect.info_schema.innodb_cmpmem',
  '--no-collect.info_schema.processlist',
  '--collect.info_schema.processlist.min_time',
  '0',
  '--no-collect.info_schema.query_response_time',
  '--collect.info_schema.tables',
  '--collect.info_schema.tables.databases',
  '*',
  '--no-collect.info_schema.tablestats',
  '--no-collect.info_schema.schemastats',
  '--no-collect.info_schema.userstats',
  '--no-collect.perf_schema.eventsstatements',
  '--collect.perf_schema.eventsstatements.digest_text_limit',
  '120',
  '--collect.perf_schema.eventsstatements.timelimit',
  '86400',
  '--no-collect.perf_schema.eventswaits',
  '--no-collect.perf_schema.file_events',
  '--no-collect.perf_schema.file_instances',
  '--no-collect.perf_schema.indexiowaits',
  '--no-collect.perf_schema.tableiowaits',
  '--no-collect.perf_schema.tablelocks',
  '--no-collect.perf_schema.replication_group_member_stats',
  '--collect.slave_status',
  '--no-collect.slave_hosts',
  '--no-collect.heartbeat',
  '--collect.heartbeat.database',
  'heartbeat',
  '--collect.heartbeat.table',
  'heartbeat',
];

interface Running {
  readonly child: ChildProcess;
  readonly port: number;
  output(): string;
}

const running: ChildProcess[] = [];
async function start(args: string[], env: Record<string, string>, home: string): Promise<Running> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src/cli.ts'), ...args, `--web.listen-address=127.0.0.1:${port}`],
    { env: { PATH: process.env.PATH ?? '', HOME: home, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.push(child);
  let out = '';
  child.stdout?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  await poll('the exporter did not answer GET / (the chart probes)', 60_000, async () => {
    if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${out}`);
    const r = await fetch(`http://127.0.0.1:${port}/`);
    return r.status === 200 ? true : undefined;
  }).catch((err: Error) => assert.fail(`${err.message}\n${out}`));
  return { child, port, output: () => out };
}

async function get(r: Running, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${r.port}${path}`);
  return { status: res.status, body: await res.text() };
}

describe('the prometheus-mysql-exporter Helm chart, image swapped for ours', () => {
  let db: MariaDb | undefined;
  let home = '';
  before(async () => {
    db = await startMariaDb();
    await createExporterUser(db, 'exporter', PASSWORD);
    home = tempDir('mysql-exporter-chart-');
  });
  after(async () => {
    for (const c of running)
      if (c.exitCode === null && c.signalCode === null) {
        const exited = new Promise((r) => c.once('exit', r));
        c.kill('SIGKILL');
        await exited;
      }
    await db?.destroy();
  });

  test('chart 2.x: logging flags, every values.yaml collector flag, the option file from its Secret', async () => {
    const cnf = join(home, 'my.cnf');
    // secret-config.yaml's [client] section.
    writeFileSync(cnf, `[client]\nhost=127.0.0.1\nport=${db!.port}\nuser=exporter\npassword=${PASSWORD}\n`, {
      mode: 0o600,
    });
    const r = await start(
      ['--log.level=info', '--log.format=logfmt', ...CHART_COLLECTOR_ARGS, `--config.my-cnf=${cnf}`],
      {},
      home,
    );
    assert.equal((await get(r, '/')).status, 200, 'liveness and readiness: GET / on the service port');
    const m = await get(r, '/metrics');
    assert.equal(m.status, 200);
    assert.match(m.body, /^mysql_up 1$/m, r.output());
    assert.match(m.body, /^mysql_global_status_uptime /m, '--collect.global_status');
    assert.match(m.body, /^mysql_global_variables_max_connections /m, '--collect.global_variables');
    assert.doesNotMatch(m.body, /^mysql_binlog_/m, '--no-collect.binlog_size');
    assert.match(r.output(), /level=info/, '--log.format=logfmt');
  });

  test('--log.format=json, as chart users set config.logFormat', async () => {
    const r = await start(
      ['--log.level=debug', '--log.format=json', '--mysqld.address=127.0.0.1:1', '--mysqld.username=x'],
      {},
      home,
    );
    assert.match(r.output(), /^\{.*"level":"(info|debug)"/m);
  });

  test('chart 1.x: DATA_SOURCE_NAME with the password the kubelet expanded', async () => {
    const r = await start(
      [],
      { DATA_SOURCE_NAME: `exporter:${PASSWORD}@(127.0.0.1:${db!.port})/` },
      tempDir('mysql-exporter-chart-'),
    );
    assert.match((await get(r, '/metrics')).body, /^mysql_up 1$/m, r.output());
    assert.doesNotMatch(r.output(), new RegExp(PASSWORD), 'the password is never logged');
  });

  test('multiTarget: /probe?target=HOST:PORT&auth_module=client.NAME, [client.NAME] in the option file', async () => {
    const cnf = join(home, 'multi.cnf');
    writeFileSync(
      cnf,
      `[client]\nuser=exporter\npassword=${PASSWORD}\n[client.db1]\nuser=exporter\npassword=${PASSWORD}\n`,
      { mode: 0o600 },
    );
    // The chart passes no --probe.allow: ours refuses every target by default, so multiTarget users
    // add it once (config.extraArgs). Without it: 403 before any connection.
    const strict = await start([`--config.my-cnf=${cnf}`], {}, home);
    const target = `127.0.0.1:${db!.port}`;
    assert.equal((await get(strict, `/probe?target=${target}&auth_module=client.db1`)).status, 403);
    const r = await start([`--config.my-cnf=${cnf}`, `--probe.allow=${target}`], {}, home);
    const p = await get(r, `/probe?target=${target}&auth_module=client.db1`);
    assert.equal(p.status, 200, p.body);
    assert.match(p.body, /^mysql_up 1$/m);
  });
});
