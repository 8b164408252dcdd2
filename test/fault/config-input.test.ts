/**
 * Fault matrix T08, T09, T31-T33: the canary password through every source, broken credentials
 * files, malformed query files at start-up and on reload, secrets on malformed lines, and path
 * traversal through configuration and request parameters.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sampleValue } from '../helpers/exporter.js';
import type { MariaDb } from '../helpers/mariadb.js';
import { CANARY, scanForCanary } from '../helpers/fault/canary.js';
import { EXPORTER_USER, createUser, startFaultDb } from '../helpers/fault/db.js';
import {
  type FaultExporter,
  queryFile,
  runMain,
  startExporter,
  tracedOpens,
  writeCnf,
  writeQueries,
} from '../helpers/fault/exporter.js';
import {
  assertAlive,
  assertNoCanary,
  assertScrape,
  collectorSuccess,
  up,
} from '../helpers/fault/invariants.js';
import { tempDir } from '../helpers/tmp.js';

const H = { 'X-Prometheus-Scrape-Timeout-Seconds': '5' };

function cnfFile(text: string): string {
  const dir = tempDir('mysql-exporter-fault-cnf-');
  const p = join(dir, 'my.cnf');
  writeFileSync(p, text, { mode: 0o600 });
  return p;
}

describe('fault T08, T09, T31-T33: configuration and input', () => {
  let db: MariaDb;
  const exps: FaultExporter[] = [];
  const stderrs: string[] = [];
  const start = async (cnf: string, args: string[] = [], env: Record<string, string> = {}) => {
    const e = await startExporter(cnf, { args, env });
    exps.push(e);
    return e;
  };

  before(async () => {
    db = await startFaultDb({ maxUserConnections: 20 });
  });
  after(async () => {
    for (const e of exps) await e.stop();
    assertNoCanary(exps, [db], { 'start-up errors': stderrs });
    await db?.destroy();
  });

  test('T08: the canary password works single-quoted, double-quoted, and from MYSQLD_EXPORTER_PASSWORD', async () => {
    const base = `[client]\nhost = 127.0.0.1\nport = ${db.port}\nuser = ${EXPORTER_USER}\n`;
    const variants: Array<[string, string, Record<string, string>]> = [
      ['single-quoted', `${base}password = '${CANARY}'\n`, {}],
      ['double-quoted', writeCnf(db), {}],
      ['environment', `${base}`, { MYSQLD_EXPORTER_PASSWORD: CANARY }],
    ];
    for (const [what, text, env] of variants) {
      const path = text.startsWith('/') ? text : cnfFile(text);
      const exp = await start(path, [], env);
      const r = await exp.get('/metrics?collect[]=global_status', { headers: H });
      assertScrape(r, 4750, `T08 ${what}`);
      assert.equal(up(r.body), 1, `T08: ${what}`);
      await exp.stop();
    }
  });

  test('T09: missing user stops start-up naming the section; an empty password is allowed', async () => {
    const noUser = cnfFile(`[client]\nhost = 127.0.0.1\nport = ${db.port}\npassword = ${CANARY}\n`);
    const r = await runMain([`--config.my-cnf=${noUser}`]);
    stderrs.push(r.stderr);
    assert.equal(r.code, 2, `T09 missing user: exit ${r.code}\n${r.stderr}`);
    assert.match(r.stderr, /client/);
    assert.match(r.stderr, /user/);
    const noSection = cnfFile(`[mysqld]\nport = ${db.port}\n`);
    const s = await runMain([`--config.my-cnf=${noSection}`]);
    stderrs.push(s.stderr);
    assert.ok(s.code === 2 || s.started, `T09 missing section: exit ${s.code}`);
    await createUser(db, 'nopw', '', 2);
    const empty = await start(
      cnfFile(`[client]\nhost = 127.0.0.1\nport = ${db.port}\nuser = nopw\npassword =\n`),
    );
    assert.equal(up((await empty.get('/metrics?collect[]=global_status', { headers: H })).body), 1);
  });

  test('T31: malformed query files stop start-up with file:line; a broken reload keeps the old config', async () => {
    const good = queryFile('fault.ok', 'SELECT 1 AS v');
    const cases: Record<string, string> = {
      'invalid-yaml': 'name: fault.x\nhelp: [unclosed\n',
      tabs: 'name: fault.x\n\thelp: tab\n',
      'unknown-key': `${good}\nbogus_key: 1\n`,
      'duplicate-metric': `${good}\n  - name: fault_fault_ok\n    help: again\n    type: gauge\n    value: v\n`,
      'bad-metric-name': good.replace('fault_fault_ok', 'bad-name!'),
      'label-not-a-column': queryFile('fault.x', 'SELECT 1 AS v', '', '{lbl: nope}'),
      'value-not-a-column': queryFile('fault.x', 'SELECT 1 AS w'),
      dml: queryFile('fault.x', 'DELETE FROM t1.t'),
      'two-statements': queryFile('fault.x', 'SELECT 1 AS v; DROP TABLE t1.t'),
    };
    for (const [what, text] of Object.entries(cases)) {
      const dir = writeQueries({ [`${what}.yaml`]: text });
      const r = await runMain([`--config.my-cnf=${writeCnf(db)}`, `--queries.dir=${dir}`]);
      stderrs.push(r.stderr);
      assert.equal(r.code, 2, `T31 ${what}: exit ${r.code}\n${r.stderr}`);
      assert.match(r.stderr, new RegExp(`${what}\\.yaml:\\d+`), `T31 ${what}: file:line in\n${r.stderr}`);
    }
    // Reload: the running configuration stays, HTTP 500, last_reload_successful 0.
    const dir = writeQueries({
      'ok.yaml': good,
      'ro.yaml': queryFile('fault.readonly', 'SELECT @@session.tx_read_only AS v'),
    });
    const exp = await start(writeCnf(db), [`--queries.dir=${dir}`]);
    const before = await exp.get('/metrics?collect[]=fault.ok&collect[]=fault.readonly', { headers: H });
    assert.equal(sampleValue(before.body, 'fault_fault_readonly'), 1, 'T31: sessions are read-only');
    writeFileSync(join(dir, 'broken.yaml'), cases.dml!);
    const reload = await exp.get('/-/reload', { method: 'POST' });
    assert.equal(reload.status, 500);
    assert.match(reload.body, /broken\.yaml:\d+/);
    const after = await exp.get('/metrics?collect[]=fault.ok', { headers: H });
    assert.equal(collectorSuccess(after.body, 'fault.ok'), 1, 'T31: the old collectors still run');
    assert.equal(sampleValue(after.body, 'mysql_exporter_config_last_reload_successful'), 0);
    const [row] = await db.sql('SELECT COUNT(*) AS n FROM t1.t');
    assert.equal(Number(row?.n), 1, 'T31: the table is intact');
  });

  test('T32: a syntax error on the password line never prints the password', async () => {
    const head = `[client]\nhost = 127.0.0.1\nport = ${db.port}\nuser = ${EXPORTER_USER}\n`;
    const broken = [
      `${head}${CANARY}\n`,
      `${head}password "${CANARY}\n`,
      `${head}pass word = ${CANARY}\n`,
      `[client\npassword = ${CANARY}\n`,
      `${head}password = ${CANARY}\n!include /nonexistent/${CANARY}\n`,
      `${head}password = ${CANARY}\nport = ${CANARY}\n`,
    ];
    for (const text of broken) {
      const r = await runMain([`--config.my-cnf=${cnfFile(text)}`]);
      stderrs.push(r.stderr);
      assert.ok(r.code === 2 || r.started, `T32: exit ${r.code}`);
      assert.deepEqual(scanForCanary({ stderr: [r.stderr] }), [], `T32: canary in\n${r.stderr}`);
    }
  });

  test('T33: path traversal: request parameters are map lookups (no file opened), config paths stay errors', async () => {
    const exp = await startExporter(writeCnf(db), {
      child: true,
      args: [`--probe.allow=127.0.0.1:${db.port}`],
    });
    exps.push(exp);
    // Warm up every code path once (lazy module loading is not what this row is about).
    await exp.get('/metrics?collect[]=global_status', { headers: H });
    await exp.get('/metrics?collect[]=nope', { headers: H });
    await exp.get(`/probe?target=127.0.0.1:${db.port}&auth_module=client.nope`);
    const statuses: number[] = [];
    const opened = await tracedOpens(exp.pid, async () => {
      for (const path of [
        `/probe?target=127.0.0.1:${db.port}&auth_module=../../etc/passwd`,
        `/probe?target=127.0.0.1:${db.port}&auth_module=client.${encodeURIComponent('../../../etc/passwd')}`,
        '/metrics?collect[]=../x',
        `/metrics?collect[]=${encodeURIComponent('../../etc/passwd')}`,
        '/../../etc/passwd',
        '/%2e%2e/%2e%2e/etc/passwd',
        '/probe?target=unix:///etc/passwd',
      ])
        statuses.push((await exp.get(path)).status);
      // Positive control: process metrics read /proc/self on every /metrics.
      await exp.get('/metrics?collect[]=global_status', { headers: H });
    });
    assert.ok(
      opened.some((p) => p.startsWith('/proc/self')),
      `T33: strace saw the control open: ${opened.length}`,
    );
    assert.ok(
      statuses.every((s) => s >= 400 && s < 500),
      `T33: every hostile request is a 4xx: ${statuses}`,
    );
    const suspicious = opened.filter((p) => /passwd|\.\.|\/x$/.test(p));
    assert.deepEqual(suspicious, [], 'T33: no file opened because of a request');
    for (const b of exp.bodies) assert.ok(!b.includes('root:'), 'T33: no file content in a body');
    await assertAlive(exp);

    // A configured TLS path that is not a certificate: an error without the file's contents.
    const shadowCa = writeCnf(db, CANARY, 'ssl-ca = ../../../../../../../etc/shadow\n');
    const bad = await start(shadowCa);
    const r = await bad.get('/metrics?collect[]=global_status', { headers: H });
    assert.equal(r.status, 200);
    assert.equal(up(r.body), 0);
    for (const text of [...bad.logs, r.body]) assert.ok(!text.includes('root:'), 'T33: no file content');
  });
});
