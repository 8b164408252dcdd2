/**
 * Query files against a real MariaDB 10.11 (performance_schema ON, userstat ON), through the real
 * Target pool (read-only sessions, statements killed on abort) and the real orchestrator.
 */
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { builtinQueriesDir } from '../../src/declarative/builtin-dir.js';
import { createQueryCollector } from '../../src/declarative/collector.js';
import { loadQueryFiles } from '../../src/declarative/loader.js';
import { parseQueryFile } from '../../src/declarative/parse-spec.js';
import type { QuerySpec } from '../../src/declarative/spec.js';
import type { ServerInfo } from '../../src/model/server-info.js';
import { Target } from '../../src/db/target.js';
import { ConfigError, formatProblem } from '../../src/errors.js';
import { silentLogger } from '../../src/log/logger.js';
import type { CollectorOutcome } from '../../src/scrape/result.js';
import { scrape } from '../../src/scrape/orchestrator.js';
import type { Collector } from '../../src/model/collector.js';
import type { MetricFamily } from '../../src/model/metrics.js';
import { ADMIN_PASSWORD, ADMIN_USER, type MariaDb, startMariaDb } from '../helpers/mariadb.js';
import { Secret } from '../../src/model/secret.js';
import { tempDir } from '../helpers/tmp.js';

let db: MariaDb;
let target: Target;
let info: ServerInfo;

before(async () => {
  db = await startMariaDb({ args: ['--userstat=ON'] });
  await db.sql(
    'CREATE DATABASE t1',
    'CREATE TABLE t1.t (id INT PRIMARY KEY, name VARCHAR(32), KEY by_name (name))',
    "INSERT INTO t1.t VALUES (1, 'one'), (2, 'two'), (3, 'three')",
    'CREATE TABLE t1.vals (k VARCHAR(8) PRIMARY KEY, lbl VARCHAR(8) NULL, v VARCHAR(64) NULL, d DECIMAL(65,30) NULL)',
    `INSERT INTO t1.vals VALUES
       ('a', 'x', '1.5', 1.25), ('b', 'y', NULL, NULL), ('c', 'z', 'abc', -44798456),
       ('d', NULL, '42', 0), ('e', 'w', '-7', NULL), ('f', 'v', '12abc', 0.5)`,
  );
  // Some table and index I/O for the perf_schema collectors to see.
  await db.sql(
    'SELECT * FROM t1.t WHERE id = 2',
    "SELECT * FROM t1.t WHERE name = 'one'",
    'SELECT COUNT(*) FROM t1.vals',
  );
  target = new Target({
    // The admin account can write: the read-only session is the server-side fence under test.
    address: { kind: 'tcp', host: '127.0.0.1', port: db.port },
    credentials: { user: ADMIN_USER, password: Secret.of(ADMIN_PASSWORD), tls: { mode: 'off' } },
    poolSize: 4,
    lockWaitTimeoutSeconds: 2,
    statementTimeoutMs: 30_000,
    connectTimeoutMs: 5_000,
    log: silentLogger(),
  });
  info = await target.serverInfo(AbortSignal.timeout(5000));
});

after(async () => {
  await target?.close();
  await db?.destroy();
});

function spec(text: string): QuerySpec {
  const parsed = parseQueryFile('inline.yaml', text);
  assert.deepEqual(parsed.problems.map(formatProblem), []);
  return parsed.spec!;
}

async function run(
  collectors: readonly Collector[],
  timeoutMs = 20_000,
): Promise<readonly CollectorOutcome[]> {
  const res = await scrape({
    target,
    collectors,
    signal: AbortSignal.timeout(timeoutMs),
    concurrency: 4,
    maxSeries: 100_000,
    log: silentLogger(),
  });
  assert.equal(res.up, true, res.error);
  return res.outcomes;
}

const samples = (o: CollectorOutcome | undefined, name: string) =>
  o?.families.find((f: MetricFamily) => f.name === name)?.samples.map((s) => [s.labels, s.value] as const);

async function tableFingerprint(): Promise<string> {
  return JSON.stringify(await db.sql('SELECT id, name FROM t1.t ORDER BY id'));
}

test('values, renamed labels, NULLs, non-numeric strings and DECIMAL on the real server', async () => {
  const c = createQueryCollector(
    spec(`name: custom.vals
help: Values.
sql: SELECT k, lbl, v, d FROM t1.vals ORDER BY k
metrics:
  - name: mysql_custom_val
    help: V.
    type: gauge
    labels: {key: k, label: lbl}
    value: v
  - name: mysql_custom_decimal
    help: D.
    type: gauge
    labels: {key: k}
    value: d
`),
  );
  const [o] = await run([c]);
  assert.equal(o?.success, true, o?.error);
  assert.deepEqual(samples(o, 'mysql_custom_val'), [
    [{ key: 'a', label: 'x' }, 1.5],
    [{ key: 'd', label: '' }, 42],
    [{ key: 'e', label: 'w' }, -7],
  ]);
  assert.deepEqual(samples(o, 'mysql_custom_decimal'), [
    [{ key: 'a' }, 1.25],
    [{ key: 'c' }, -44798456],
    [{ key: 'd' }, 0],
    [{ key: 'f' }, 0.5],
  ]);
  assert.deepEqual(samples(o, 'mysql_exporter_query_rows'), [[{ collector: 'collect.custom.vals' }, 6]]);
});

test('over the row cap a collector serves its first rows; the label-length cap fails only its own collector', async () => {
  const rows = createQueryCollector(
    spec(`name: custom.many_rows
help: Many rows.
max_rows: 1000
sql: SELECT seq, 1 AS v FROM t1.seq_1_to_100000 ORDER BY seq
metrics:
  - {name: mysql_custom_many, help: M., type: gauge, labels: [seq], value: v}
`),
  );
  const label = createQueryCollector(
    spec(`name: custom.long_label
help: Long label.
sql: SELECT REPEAT('x', 1000000) AS lbl, 1 AS v
metrics:
  - {name: mysql_custom_long, help: L., type: gauge, labels: [lbl], value: v}
`),
  );
  const fine = createQueryCollector(
    spec(`name: custom.fine
help: Fine.
sql: SELECT 1 AS v
metrics:
  - {name: mysql_custom_fine, help: F., type: gauge, value: v}
`),
  );
  const outcomes = await run([rows, label, fine]);
  const by = new Map(outcomes.map((o) => [o.name, o]));
  // Over max_rows: the first 1000 rows of the statement, the other 99,000 counted.
  assert.equal(by.get('custom.many_rows')?.success, true);
  assert.equal(samples(by.get('custom.many_rows'), 'mysql_custom_many')?.length, 1000);
  assert.deepEqual(samples(by.get('custom.many_rows'), 'mysql_exporter_collector_rows_dropped'), [
    [{ collector: 'collect.custom.many_rows' }, 99_000],
  ]);
  assert.equal(by.get('custom.long_label')?.success, false);
  assert.match(
    by.get('custom.long_label')?.error ?? '',
    /1000000 characters long, more than max_label_length \(1024\)/,
  );
  assert.ok(!(by.get('custom.long_label')?.error ?? '').includes('xxxx'));
  assert.equal(by.get('custom.fine')?.success, true);
});

test('caching: the server runs a cached query once per min_interval, also under concurrent scrapes', async () => {
  let now = 0;
  const c = createQueryCollector(
    spec(`name: custom.cached
help: Cached.
min_interval: 60s
sql: SELECT 7 AS cache_probe_marker
metrics:
  - {name: mysql_custom_cached, help: C., type: gauge, value: cache_probe_marker}
`),
    { clock: () => now },
  );
  // Executions as the server counts them: the statement digest's COUNT_STAR.
  const executions = async () => {
    const r = await db.sql(
      "SELECT IFNULL(SUM(COUNT_STAR), 0) AS n FROM performance_schema.events_statements_summary_by_digest WHERE DIGEST_TEXT LIKE '%cache\\_probe\\_marker%'",
    );
    return Number(r[0]?.n);
  };
  const before = await executions();
  for (let i = 0; i < 5; i++) {
    const [o] = await run([c]);
    assert.equal(o?.success, true, o?.error);
    now += 1000;
  }
  const concurrent = await Promise.all(Array.from({ length: 8 }, () => run([c])));
  assert.ok(concurrent.every(([o]) => o?.success && samples(o, 'mysql_custom_cached')?.[0]?.[1] === 7));
  assert.equal((await executions()) - before, 1);

  now += 60_000;
  await Promise.all(Array.from({ length: 8 }, () => run([c])));
  assert.equal((await executions()) - before, 2, 'expired: one shared refresh');
  const [o] = await run([c]);
  assert.deepEqual(samples(o, 'mysql_exporter_query_cache_age_seconds'), [
    [{ collector: 'collect.custom.cached' }, 0],
  ]);
});

test('timeout: the collector fails by about 1 s and the statement is gone from the server within 2 s', async () => {
  const c = createQueryCollector(
    spec(`name: custom.sleepy
help: Sleepy.
timeout: 1s
sql: SELECT SLEEP(5) AS v
metrics:
  - {name: mysql_custom_sleepy, help: S., type: gauge, value: v}
`),
  );
  assert.equal(c.timeoutMs, 1000);
  const start = Date.now();
  const [o] = await run([c]);
  const elapsed = Date.now() - start;
  assert.equal(o?.success, false);
  assert.match(o?.error ?? '', /deadline/i);
  assert.ok(elapsed < 3000, `scrape answered after ${elapsed} ms`);
  const took = o?.durationSeconds ?? 0;
  assert.ok(took >= 0.9 && took < 1.6, `collector failed after ${took} s`);
  const running = async () =>
    Number(
      (
        await db.sql(
          "SELECT COUNT(*) AS n FROM information_schema.processlist WHERE INFO LIKE 'SELECT SLEEP(5)%' AND ID <> CONNECTION_ID()",
        )
      )[0]?.n,
    );
  const deadline = Date.now() + 2000;
  let left = await running();
  while (left > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    left = await running();
  }
  assert.equal(left, 0, 'the sleeping statement was killed on the server');
});

test('a file with DELETE or a second statement is refused and changes nothing', async () => {
  const before = await tableFingerprint();
  const dir = tempDir('mysql-exporter-refused-');
  try {
    const file = (name: string, sql: string) => `name: custom.${name}
help: Refused.
sql: ${JSON.stringify(sql)}
metrics:
  - {name: mysql_custom_${name}, help: R., type: gauge, value: v}
`;
    await writeFile(join(dir, 'delete.yaml'), file('delete', 'DELETE FROM t1.t'));
    await writeFile(join(dir, 'drop.yaml'), file('drop', 'SELECT 1 AS v; DROP TABLE t1.t'));
    await writeFile(join(dir, 'hidden.yaml'), file('hidden', 'SELECT 1 AS v /*! ; DELETE FROM t1.t */'));
    const err = await loadQueryFiles([dir]).catch((e: unknown) => e);
    assert.ok(err instanceof ConfigError);
    assert.deepEqual(
      err.problems.map((p) => [p.source.slice(dir.length + 1), p.line, p.key]),
      [
        ['delete.yaml', 3, 'sql'],
        ['drop.yaml', 3, 'sql'],
        ['hidden.yaml', 3, 'sql'],
      ],
    );
    // The second fence: even if a write reached the server, the pooled session is read-only.
    await assert.rejects(
      target.db(AbortSignal.timeout(5000)).query('DELETE FROM t1.t'),
      /READ ONLY|read-only/i,
    );
    assert.equal(await tableFingerprint(), before);
    assert.equal(JSON.parse(before).length, 3);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('missing_table: empty exports nothing for a table this server lacks; without it the collector fails', async () => {
  const text = (extra: string) => `name: custom.aurora${extra ? '_empty' : ''}
help: Aurora only.
${extra}sql: SELECT SERVER_ID, CPU FROM information_schema.replica_host_status
metrics:
  - {name: mysql_custom_cpu${extra ? '_empty' : ''}, help: C., type: gauge, labels: {server_id: SERVER_ID}, value: CPU}
`;
  const outcomes = await run([
    createQueryCollector(spec(text('missing_table: empty\n'))),
    createQueryCollector(spec(text(''))),
  ]);
  assert.equal(outcomes[0]?.success, true, outcomes[0]?.error);
  assert.ok(outcomes[0]?.families.every((f) => f.name.startsWith('mysql_exporter_')));
  assert.equal(outcomes[1]?.success, false);
  assert.match(outcomes[1]?.error ?? '', /ER_UNKNOWN_TABLE/);
});

test('built-in query files run on MariaDB 10.11 with performance_schema and userstat ON', async () => {
  const loaded = await loadQueryFiles([builtinQueriesDir()]);
  const collectors = loaded.collectors.map((d) => d.create(new Map()));
  const supported = collectors.filter((c) => c.supports(info)).map((c) => c.name);
  assert.deepEqual(
    collectors.filter((c) => !c.supports(info)).map((c) => c.name),
    [
      'info_schema.replica_host',
      'perf_schema.replication_applier_status_by_worker',
      'perf_schema.replication_group_member_stats',
    ],
  );
  const outcomes = await run(collectors);
  assert.deepEqual(
    outcomes.map((o) => o.name),
    supported,
  );
  for (const o of outcomes) assert.equal(o.success, true, `${o.name}: ${o.error}`);
  const data = (name: string) =>
    outcomes.find((o) => o.name === name)?.families.filter((f) => !f.name.startsWith('mysql_exporter_')) ??
    [];
  for (const name of [
    'info_schema.innodb_cmp',
    'info_schema.innodb_cmpmem',
    'perf_schema.eventswaits',
    'perf_schema.file_events',
    'perf_schema.eventsstatementssum',
    'perf_schema.tableiowaits',
    'perf_schema.indexiowaits',
    'sys.user_summary',
    'info_schema.tablestats',
    'info_schema.schemastats',
  ]) {
    assert.ok(data(name).length > 0, `${name} returned data`);
  }
  const cmp = data('info_schema.innodb_cmp').find(
    (f) => f.name === 'mysql_info_schema_innodb_cmp_compress_ops_total',
  );
  assert.deepEqual(
    cmp?.samples.map((s) => s.labels.page_size),
    ['1024', '2048', '4096', '8192', '16384'],
  );
  const io = data('perf_schema.tableiowaits').find(
    (f) => f.name === 'mysql_perf_schema_table_io_waits_total',
  );
  assert.ok(
    io?.samples.some(
      (s) =>
        s.labels.schema === 't1' && s.labels.name === 't' && s.labels.operation === 'fetch' && s.value > 0,
    ),
  );
  const idx = data('perf_schema.indexiowaits').find(
    (f) => f.name === 'mysql_perf_schema_index_io_waits_total',
  );
  assert.ok(idx?.samples.some((s) => s.labels.index === 'PRIMARY' && s.labels.operation === 'fetch'));
  assert.ok(idx?.samples.every((s) => s.labels.operation !== 'insert' || s.labels.index === 'NONE'));
  const tables = data('info_schema.tablestats').find(
    (f) => f.name === 'mysql_info_schema_table_statistics_rows_read_total',
  );
  assert.ok(tables?.samples.some((s) => s.labels.schema === 't1' && s.labels.table === 't' && s.value > 0));
  const sum = data('perf_schema.eventsstatementssum').find(
    (f) => f.name === 'mysql_perf_schema_events_statements_sum_total',
  );
  assert.ok((sum?.samples[0]?.value ?? 0) > 0);
});

test('the events-statements sum works on an empty digest table (zeros, not an error)', async () => {
  await db.sql('TRUNCATE TABLE performance_schema.events_statements_summary_by_digest');
  const loaded = await loadQueryFiles([builtinQueriesDir()]);
  const def = loaded.collectors.find((d) => d.name === 'perf_schema.eventsstatementssum')!;
  const [o] = await run([def.create(new Map())]);
  assert.equal(o?.success, true, o?.error);
  assert.equal(
    o?.families.filter((f) => f.name.startsWith('mysql_perf_schema_events_statements_sum_')).length,
    21,
  );
});

test('the shipped examples run on MariaDB (group replication is MySQL-only)', async () => {
  const loaded = await loadQueryFiles([join(builtinQueriesDir(), 'examples')]);
  const collectors = loaded.collectors.map((d) => d.create(new Map()));
  assert.deepEqual(
    collectors.filter((c) => !c.supports(info)).map((c) => c.name),
    ['custom.group_replication_member'],
  );
  const outcomes = await run(collectors.filter((c) => c.supports(info)));
  for (const o of outcomes) assert.equal(o.success, true, `${o.name}: ${o.error}`);
  const largest = outcomes.find((o) => o.name === 'custom.largest_tables');
  assert.ok(
    samples(largest, 'mysql_largest_table_size_bytes')?.some(([l]) => l.schema === 't1' && l.table === 't'),
  );
  const trx = outcomes.find((o) => o.name === 'custom.long_running_transactions');
  assert.deepEqual(samples(trx, 'mysql_innodb_transactions_open'), [[{}, 0]]);
});

test('reload: a failed load leaves the running collectors untouched; a fixed file loads afresh', async () => {
  const dir = tempDir('mysql-exporter-reload-');
  const file = (value: string) =>
    `name: custom.reload\nhelp: R.\nsql: SELECT ${value} AS v\nmetrics:\n  - {name: mysql_custom_reload, help: R., type: gauge, value: v}\n`;
  try {
    await writeFile(join(dir, 'r.yaml'), file('1'));
    const running = (await loadQueryFiles([dir])).collectors.map((d) => d.create(new Map()));
    await writeFile(join(dir, 'r.yaml'), file('1; DROP TABLE t1.t'));
    await assert.rejects(loadQueryFiles([dir]), ConfigError);
    const [o] = await run(running);
    assert.deepEqual(samples(o, 'mysql_custom_reload'), [[{}, 1]]);
    await writeFile(join(dir, 'r.yaml'), file('2'));
    const reloaded = (await loadQueryFiles([dir])).collectors.map((d) => d.create(new Map()));
    const [p] = await run(reloaded);
    assert.deepEqual(samples(p, 'mysql_custom_reload'), [[{}, 2]]);
    assert.equal(JSON.parse(await tableFingerprint()).length, 3);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
