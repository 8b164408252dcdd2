/**
 * Fault matrix T23-T27, T29, T30: NULLs, non-numeric and edge values, the server's own odd variables,
 * hostile identifiers as label values, thousands of tables, huge results and labels, and collectors
 * that do not apply to this server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sampleValue } from '../helpers/exporter.js';
import type { MariaDb } from '../helpers/mariadb.js';
import { sleep, startFaultDb } from '../helpers/fault/db.js';
import {
  type FaultExporter,
  queryFile,
  rssBytes,
  startExporter,
  writeCnf,
  writeQueries,
} from '../helpers/fault/exporter.js';
import {
  assertAlive,
  assertNoCanary,
  assertScrape,
  assertSettled,
  collectorSuccess,
  up,
} from '../helpers/fault/invariants.js';

const POOL = 2;
const H = { 'X-Prometheus-Scrape-Timeout-Seconds': '10' };

const EDGE_ROWS: ReadonlyArray<readonly [string, string]> = [
  ['empty', "''"],
  ['abc', "'abc'"],
  ['trailing', "'12abc'"],
  ['spaces', "' 42 '"],
  ['hex', "'0x1A'"],
  ['overflow', "'1e309'"],
  ['infinity', "'Infinity'"],
  ['nan', "'NaN'"],
  ['datetime', "'2024-01-02 03:04:05'"],
  ['negzero', "'-0'"],
  ['negative', "'-44798456'"],
  ['u64', "'18446744073709551615'"],
  ['decimal', "CAST('12345678901234567890.123456789012345678901234567890' AS DECIMAL(65,30))"],
];

const edgeSql = EDGE_ROWS.map(
  ([k, v], i) => `${i === 0 ? '' : 'UNION ALL '}SELECT '${k}' AS k, ${v} AS v`,
).join('\n');

const boolSql = ['ON', 'OFF', 'YES', 'NO', 'Connecting', 'Primary', 'maybe']
  .map((w, i) => `${i === 0 ? '' : 'UNION ALL '}SELECT '${w}' AS k, '${w}' AS v`)
  .join('\n');

describe('fault T23-T27, T29, T30: data shape and cardinality', () => {
  let db: MariaDb;
  let exp: FaultExporter;
  /** Stock flags: the default collectors only. */
  let stock: FaultExporter;
  const exps: FaultExporter[] = [];
  let queries: string;

  before(async () => {
    db = await startFaultDb({ maxUserConnections: 20 });
    // T25: a plugin that adds variables (after the accounts exist: it refuses weak new passwords).
    await db.sql("INSTALL SONAME 'simple_password_check'");
    queries = writeQueries({
      'nullv.yaml': queryFile('fault.nullv', 'SELECT NULL AS v'),
      'cte.yaml': queryFile('fault.cte', 'WITH a AS (SELECT 2 AS v)\nSELECT v FROM a -- trailing comment\n;'),
      'nulllbl.yaml': queryFile('fault.nulllbl', 'SELECT NULL AS lbl, 1 AS v', '', '{lbl: lbl}'),
      'edge.yaml': queryFile('fault.edge', edgeSql, '', '{k: k}'),
      'bool.yaml': `${queryFile('fault.bool', boolSql, '', '{k: k}')}\n    value_map: {ON: 1, OFF: 0, YES: 1, NO: 0, Connecting: 0, Primary: 1}\n`,
      'huge.yaml': queryFile('fault.huge', 'SELECT seq AS k, 1 AS v FROM t1.seq_1_to_1000000', '', '{k: k}'),
      'longlabel.yaml': queryFile(
        'fault.longlabel',
        "SELECT REPEAT('x', 1000000) AS k, 1 AS v",
        '',
        '{k: k}',
      ),
    });
    exp = await startExporter(writeCnf(db), {
      args: [
        `--queries.dir=${queries}`,
        '--collect.perf_schema.eventsstatementssum',
        '--collect.info_schema.tables',
        '--collect.info_schema.tables.databases=*',
        '--collect.auto_increment.columns',
      ],
    });
    exps.push(exp);
    stock = await startExporter(writeCnf(db));
    exps.push(stock);
  });
  after(async () => {
    for (const e of exps) await e.stop();
    assertNoCanary(exps, [db]);
    await db?.destroy();
  });

  test('T23: NULL values are skipped, NULL labels become "", the collector succeeds', async () => {
    await db.sql('TRUNCATE performance_schema.events_statements_summary_by_digest');
    const q = ['perf_schema.eventsstatementssum', 'fault.nullv', 'fault.nulllbl'].map(
      (c) => `collect[]=${c}`,
    );
    const r = await exp.get(`/metrics?${q.join('&')}`, { headers: H });
    assertScrape(r, 9750, 'T23');
    for (const c of ['perf_schema.eventsstatementssum', 'fault.nullv', 'fault.nulllbl'])
      assert.equal(collectorSuccess(r.body, c), 1, `T23: ${c}`);
    assert.doesNotMatch(r.body, /^fault_fault_nullv /m, 'T23: a NULL value is no sample');
    assert.equal(sampleValue(r.body, 'fault_fault_nulllbl{lbl=""}'), 1);
    // A CTE with a trailing comment and semicolon still runs under the server-side row cap (T29).
    const cte = await exp.get('/metrics?collect[]=fault.cte', { headers: H });
    assert.equal(sampleValue(cte.body, 'fault_fault_cte'), 2);
  });

  test('T24: strict value parsing: invalid strings skipped, negatives kept, mapped words, exact values', async () => {
    const mark = exp.mark();
    const r = await exp.get('/metrics?collect[]=fault.edge&collect[]=fault.bool', { headers: H });
    assertScrape(r, 9750, 'T24');
    assert.equal(collectorSuccess(r.body, 'fault.edge'), 1);
    const v = (k: string) => sampleValue(r.body, `fault_fault_edge{k="${k}"}`);
    for (const k of ['empty', 'abc', 'trailing', 'spaces', 'hex', 'overflow', 'infinity', 'nan', 'datetime'])
      assert.equal(v(k), undefined, `T24: ${k} must be skipped`);
    assert.equal(v('negzero'), 0);
    assert.equal(v('negative'), -44798456);
    assert.equal(v('u64'), 2 ** 64); // 18446744073709551615 as a float64, as in Go
    assert.equal(v('decimal'), Number('12345678901234567890.123456789'));
    assert.ok(
      exp.since(mark).some((l) => l.includes('non-numeric values skipped') && l.includes('count=9')),
      'T24: one debug line counts the 9 skipped cells',
    );
    const b = (k: string) => sampleValue(r.body, `fault_fault_bool{k="${k}"}`);
    assert.deepEqual(['ON', 'OFF', 'YES', 'NO', 'Connecting', 'Primary', 'maybe'].map(b), [
      1,
      0,
      1,
      0,
      0,
      1,
      undefined,
    ]);
  });

  test('T25 + T30: stock MariaDB with a password plugin, default and all collectors: valid names, nothing fails by drift', async () => {
    const def = await stock.get('/metrics', { headers: H });
    assertScrape(def, 9750, 'T25 default collectors');
    for (const line of def.body.split('\n'))
      if (line.startsWith('mysql_exporter_collector_success'))
        assert.match(line, / 1$/, `T25: default collector failed: ${line}`);
    assert.match(def.body, /^mysql_global_variables_simple_password_check_minimal_length \d+/m);
    const all = await startExporter(writeCnf(db), {
      args: ['--collect.all', '--exporter.scrape_timeout=30s'],
    });
    exps.push(all);
    const mark = all.mark();
    const r = await all.get('/metrics', { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '30' } });
    assertScrape(r, 29750, 'T30 --collect.all');
    assert.equal(up(r.body), 1);
    const failed = r.body
      .split('\n')
      .filter((l) => l.startsWith('mysql_exporter_collector_success') && l.endsWith(' 0'));
    // Two collectors need what a stock server lacks: pt-heartbeat's table and the MyRocks engine.
    const needsSetup = /collector=(heartbeat|info_schema\.rocksdb_perf_context) /;
    const drift = all
      .since(mark)
      .filter((l) => /ER_PARSE_ERROR|ER_BAD_FIELD_ERROR|ER_NO_SUCH_TABLE|ER_UNKNOWN_TABLE|syntax/.test(l))
      .filter((l) => !needsSetup.test(l));
    assert.deepEqual(drift, [], 'T30: no syntax or missing-column/table errors on MariaDB 10.11');
    // Collectors that need what this server lacks (replication, plugins) may fail, each with a reason.
    for (const line of failed) {
      const name = /collector="collect\.([^"]+)"/.exec(line)?.[1] ?? '';
      assert.ok(
        all.since(mark).some((l) => l.includes('collector failed') && l.includes(`collector=${name}`)),
        `T30: ${name} failed without a log line`,
      );
    }
    await assertSettled(db, POOL * exps.length);
  });

  test('T26: hostile identifiers are bound parameters and escaped labels', async () => {
    await db.sql(
      'CREATE DATABASE `we\'ird"db\\x`',
      'CREATE TABLE `we\'ird"db\\x`.`new\nline` (id INT AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB',
      'CREATE TABLE `we\'ird"db\\x`.`quo"te` (id INT AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB',
      'CREATE DATABASE `schéma_日本`',
      'CREATE TABLE `schéma_日本`.`tablé` (id INT AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB',
      'INSERT INTO `we\'ird"db\\x`.`new\nline` VALUES (NULL)',
    );
    const q = 'collect[]=info_schema.tables&collect[]=auto_increment.columns';
    const r = await exp.get(`/metrics?${q}`, { headers: H });
    assertScrape(r, 9750, 'T26');
    assert.equal(collectorSuccess(r.body, 'info_schema.tables'), 1);
    assert.equal(collectorSuccess(r.body, 'auto_increment.columns'), 1);
    assert.ok(r.body.includes('schema="we\'ird\\"db\\\\x"'), 'T26: quote and backslash escaped');
    assert.ok(r.body.includes('table="new\\nline"'), 'T26: newline escaped');
    assert.ok(r.body.includes('table="quo\\"te"'));
    assert.ok(r.body.includes('schema="schéma_日本"'));
    // The same names through a flag: bound as a parameter, no SQL error.
    const listed = await startExporter(writeCnf(db), {
      args: ['--collect.info_schema.tables', `--collect.info_schema.tables.databases=we'ird"db\\x`],
    });
    exps.push(listed);
    const l = await listed.get('/metrics?collect[]=info_schema.tables', { headers: H });
    assertScrape(l, 9750, 'T26 listed schema');
    assert.equal(collectorSuccess(l.body, 'info_schema.tables'), 1);
    assert.ok(l.body.includes('table="quo\\"te"'));
  });

  test('T27: 1000 tables -> no per-table series by default; past its cap the per-table collector serves the largest', async () => {
    const t0 = Date.now();
    for (let s = 0; s < 10; s++) {
      const stmts = [`CREATE DATABASE many${s}`];
      for (let t = 0; t < 100; t++) stmts.push(`CREATE TABLE many${s}.t${t} (id INT) ENGINE=Aria`);
      await db.sql(...stmts);
    }
    const createMs = Date.now() - t0;
    const def = await stock.get('/metrics', { headers: H });
    assertScrape(def, 9750, 'T27 default');
    assert.ok(!/schema="many\d+"/.test(def.body), 'T27: zero per-table series by default');
    const r = await exp.get('/metrics?collect[]=info_schema.tables', { headers: H });
    assertScrape(r, 9750, 'T27 info_schema.tables, 1000+ tables');
    const series = r.body.split('\n').filter((line) => /schema="many\d+"/.test(line)).length;
    assert.ok(series >= 2000, `T27: ${series} series with the cap at its default`);
    const capped = await startExporter(writeCnf(db), {
      args: [
        '--collect.info_schema.tables',
        '--collect.info_schema.tables.databases=*',
        '--collect.info_schema.tables.max_series=1000',
      ],
    });
    exps.push(capped);
    const c = await capped.get('/metrics?collect[]=info_schema.tables', { headers: H });
    assertScrape(c, 9750, 'T27 capped');
    assert.equal(collectorSuccess(c.body, 'info_schema.tables'), 1, 'T27: over the cap a subset is served');
    const served = c.body
      .split('\n')
      .filter((line) => line.startsWith('mysql_info_schema_table_rows{')).length;
    assert.equal(served, 200, 'T27: 1000 series / 5 per table');
    assert.match(
      c.body,
      /^mysql_exporter_collector_rows_dropped\{collector="collect\.info_schema\.tables"\} [1-9]\d*$/m,
    );
    assert.equal(
      capped.logs.filter((l) => l.includes('row limit reached')).length,
      1,
      'T27: one log line names the cap',
    );
    assert.ok(
      capped.logs.some((l) => l.includes('max_series')),
      'T27: the log line names the flag',
    );
    process.stdout.write(
      `# T27 figures: ${createMs} ms to create 1000 tables; ${series} series; scrape ${Math.round(r.ms)} ms\n`,
    );
  });

  test('T29: a million rows -> the first max_rows served; a megabyte label -> the collector fails; memory bounded', async () => {
    const child = await startExporter(writeCnf(db), {
      child: true,
      args: [`--queries.dir=${queries}`, '--exporter.scrape_timeout=20s'],
    });
    exps.push(child);
    const rss0 = rssBytes(child.pid);
    let peak = rss0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, rssBytes(child.pid));
        await sleep(20);
      }
    })();
    const r = await child.get(
      '/metrics?collect[]=fault.huge&collect[]=fault.longlabel&collect[]=global_status',
      {
        headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '20' },
      },
    );
    sampling = false;
    await sampler;
    assertScrape(r, 19750, 'T29');
    // The statement streams all its rows; the first 10,000 (max_rows) are kept, the rest counted.
    assert.equal(collectorSuccess(r.body, 'fault.huge'), 1);
    assert.match(
      r.body,
      /^mysql_exporter_collector_rows_dropped\{collector="collect\.fault\.huge"\} 990000$/m,
    );
    assert.equal(collectorSuccess(r.body, 'fault.longlabel'), 0);
    assert.equal(collectorSuccess(r.body, 'global_status'), 1);
    assert.ok(r.body.length < 1_000_000, `T29: response ${r.body.length} bytes`);
    assert.ok(
      child.logs.some((l) => l.includes('max_rows')),
      `T29: max_rows:\n${child.logs.slice(-5).join('\n')}`,
    );
    assert.ok(
      child.logs.some((l) => l.includes('max_label_length')),
      'T29: max_label_length',
    );
    const growth = peak - rss0;
    process.stdout.write(
      `# T29 figures: RSS ${Math.round(rss0 / 2 ** 20)} -> peak ${Math.round(peak / 2 ** 20)} MiB; response ${r.body.length} bytes; ${Math.round(r.ms)} ms\n`,
    );
    assert.ok(growth < 128 * 2 ** 20, `T29: RSS grew by ${Math.round(growth / 2 ** 20)} MiB`);
    await assertAlive(child);
  });
});
