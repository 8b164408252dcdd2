/**
 * The missing-privilege warning names what each collector needs on the server it runs against, checked
 * on a real MariaDB (10.11 here): first that the server really refuses each statement without the
 * privilege and accepts it with it, then that the exporter warns exactly for what is missing, with the
 * README's grants, with those grants minus SLAVE MONITOR, and with --collect.all (slave_hosts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import { cnfFor } from '../helpers/exporter.js';
import { httpGet } from '../helpers/fault/net.js';
import { type ExporterProcess, spawnExporter } from '../helpers/fault/process.js';
import { type MariaDb, sqlString, startMariaDb } from '../helpers/mariadb.js';

/** The README's grants for MariaDB >= 10.5.9, line by line (README.md, "Grants"). */
const README_GRANTS = ['PROCESS, REPLICATION CLIENT, SELECT', 'SLAVE MONITOR', 'REPLICATION MASTER ADMIN'];

describe('missing-privilege warnings on MariaDB', () => {
  let db: MariaDb;
  let dir = '';
  const procs: ExporterProcess[] = [];

  async function account(name: string, grants: readonly string[]): Promise<void> {
    await db.sql(`CREATE USER '${name}'@'127.0.0.1' IDENTIFIED BY ${sqlString('pw')}`);
    for (const g of grants) await db.sql(`GRANT ${g} ON *.* TO '${name}'@'127.0.0.1'`);
  }

  async function refused(user: string, sql: string): Promise<boolean> {
    const c = await mysql.createConnection({ host: '127.0.0.1', port: db.port, user, password: 'pw' });
    try {
      await c.query(sql);
      return false;
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (/ACCESS_DENIED|SPECIFIC_ACCESS/.test(code)) return true;
      throw err;
    } finally {
      await c.end();
    }
  }

  /** The privileges the exporter warns about after one scrape. */
  async function warnings(user: string, args: readonly string[] = []): Promise<string[]> {
    const cnf = join(dir, `${user}-${args.length}.cnf`);
    writeFileSync(cnf, cnfFor(db.port, user, 'pw'), { mode: 0o600 });
    const p = await spawnExporter([`--config.my-cnf=${cnf}`, '--log.level=debug', ...args]);
    procs.push(p);
    const r = await httpGet(`${p.url}/metrics`);
    assert.match(r.body, /^mysql_up 1$/m);
    // The grant check runs after the first successful scrape; a second scrape orders the logs after it.
    const deadline = Date.now() + 20_000;
    while (!p.lines.some((l) => /grants checked/.test(l))) {
      assert.ok(Date.now() < deadline, `no grant check logged:\n${p.lines.join('\n')}`);
      await new Promise((res) => setTimeout(res, 50));
    }
    p.signal('SIGTERM');
    await p.exited;
    return p.lines
      .filter((l) => l.includes('lacks a recommended privilege'))
      .map((l) => /privilege="?([A-Z ]+?)"? effect/.exec(l)?.[1] ?? l)
      .sort();
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'grants-warning-'));
    db = await startMariaDb({ args: ['--log-bin=binlog', '--server-id=1'] });
    await account('readme', README_GRANTS);
    await account(
      'no_slave_monitor',
      README_GRANTS.filter((g) => g !== 'SLAVE MONITOR'),
    );
    await account(
      'no_master_admin',
      README_GRANTS.filter((g) => g !== 'REPLICATION MASTER ADMIN'),
    );
    await account('with_super', ['PROCESS, SELECT, SUPER']);
  });
  after(async () => {
    for (const p of procs) await p.kill();
    await db?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the server: which privilege each statement needs (MariaDB >= 10.5.9)', async () => {
    assert.equal(await refused('readme', 'SHOW ALL SLAVES STATUS'), false);
    assert.equal(
      await refused('no_slave_monitor', 'SHOW ALL SLAVES STATUS'),
      true,
      'REPLICATION CLIENT is not enough',
    );
    assert.equal(await refused('readme', 'SHOW SLAVE HOSTS'), false);
    assert.equal(
      await refused('no_master_admin', 'SHOW SLAVE HOSTS'),
      true,
      'needs REPLICATION MASTER ADMIN',
    );
    assert.equal(await refused('readme', 'SHOW BINARY LOGS'), false);
    assert.equal(
      await refused('no_slave_monitor', 'SHOW BINARY LOGS'),
      false,
      'REPLICATION CLIENT = BINLOG MONITOR',
    );
    // SUPER still covers the monitoring statements, not SHOW SLAVE HOSTS.
    assert.equal(await refused('with_super', 'SHOW ALL SLAVES STATUS'), false);
    assert.equal(await refused('with_super', 'SHOW BINARY LOGS'), false);
    assert.equal(await refused('with_super', 'SHOW SLAVE HOSTS'), true);
  });

  test("the README's grants: no warning, default collectors and --collect.all", async () => {
    assert.deepEqual(await warnings('readme'), []);
    assert.deepEqual(await warnings('readme', ['--collect.all']), []);
  });

  test('the README grants minus SLAVE MONITOR: a warning naming SLAVE MONITOR', async () => {
    assert.deepEqual(await warnings('no_slave_monitor'), ['SLAVE MONITOR']);
  });

  test('without REPLICATION MASTER ADMIN: a warning only when slave_hosts runs', async () => {
    assert.deepEqual(await warnings('no_master_admin'), []);
    assert.deepEqual(await warnings('no_master_admin', ['--collect.slave_hosts']), [
      'REPLICATION MASTER ADMIN',
    ]);
  });
});
