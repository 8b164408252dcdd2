/**
 * info_schema.processlist, mysql.user, info_schema.tables, info_schema.innodb_tablespaces,
 * info_schema.innodb_metrics, auto_increment.columns, binlog_size, info_schema.userstats and
 * info_schema.clientstats against a real MariaDB 10.11 (userstat ON, binary log on), through a real
 * Target and the orchestrator, as the least-privilege account mysqld_exporter's README recommends.
 * Schemas and tables with hostile names (quotes, a backtick, a newline, Unicode) are part of the data.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type mysql from 'mysql2/promise';
import { autoIncrementColumns } from '../../src/collectors/auto-increment-columns.js';
import { binlogSize } from '../../src/collectors/binlog-size.js';
import { infoSchemaClientstats } from '../../src/collectors/info-schema-clientstats.js';
import { infoSchemaInnodbMetrics } from '../../src/collectors/info-schema-innodb-metrics.js';
import { infoSchemaInnodbTablespaces } from '../../src/collectors/info-schema-innodb-tablespaces.js';
import { infoSchemaProcesslist } from '../../src/collectors/info-schema-processlist.js';
import { infoSchemaTables } from '../../src/collectors/info-schema-tables.js';
import { infoSchemaUserstats } from '../../src/collectors/info-schema-userstats.js';
import { mysqlUser } from '../../src/collectors/mysql-user.js';
import { Target } from '../../src/db/target.js';
import { silentLogger } from '../../src/log/logger.js';
import type { CollectorOutcome } from '../../src/scrape/result.js';
import { scrape } from '../../src/scrape/orchestrator.js';
import type { Collector } from '../../src/model/collector.js';
import type { MetricFamily } from '../../src/model/metrics.js';
import { validateFamilies } from '../../src/scrape/validate.js';
import { createExporterUser, type MariaDb, sqlString, startMariaDb } from '../helpers/mariadb.js';
import { buildCollector } from '../helpers/collector-under-test.js';
import { requireFamily, seriesValue } from '../helpers/samples.js';
import { Secret } from '../../src/model/secret.js';

const EXPORTER = 'exporter_a';
const EXPORTER_PW = 'pw-a';
const LIMITED = 'limited_a';

const WEIRD_DB = 'we\'ird"db';
const NEWLINE_TABLE = 'line\nbreak';
const BACKTICK_DB = 'back`tick';
const UNICODE_DB = 'ünï✓';
const UNICODE_TABLE = 'tâble';

const q = (name: string) => `\`${name.replace(/`/g, '``')}\``;

let server: MariaDb;
let sleeper: mysql.Connection;
let target: Target;
let limitedTarget: Target;

function makeTarget(user: string, password: string): Target {
  return new Target({
    address: { kind: 'tcp', host: '127.0.0.1', port: server.port },
    credentials: { user, password: Secret.of(password), tls: { mode: 'off' } },
    poolSize: 2,
    lockWaitTimeoutSeconds: 2,
    statementTimeoutMs: 10_000,
    connectTimeoutMs: 5_000,
    log: silentLogger(),
  });
}

before(async () => {
  server = await startMariaDb({ args: ['--userstat=ON', '--log-bin=mysql-bin', '--server-id=1'] });
  await server.sql(
    'CREATE DATABASE shop',
    'CREATE TABLE shop.orders (id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY, v VARCHAR(10)) ENGINE=InnoDB',
    "INSERT INTO shop.orders (v) VALUES ('a'), ('b'), ('c')",
    'CREATE VIEW shop.v_orders AS SELECT id FROM shop.orders',
    `CREATE DATABASE ${q(WEIRD_DB)}`,
    `CREATE TABLE ${q(WEIRD_DB)}.${q(NEWLINE_TABLE)} (id BIGINT AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB`,
    `INSERT INTO ${q(WEIRD_DB)}.${q(NEWLINE_TABLE)} VALUES (41)`,
    `CREATE DATABASE ${q(BACKTICK_DB)}`,
    `CREATE TABLE ${q(BACKTICK_DB)}.t (id TINYINT AUTO_INCREMENT PRIMARY KEY) ENGINE=Aria`,
    `CREATE DATABASE ${q(UNICODE_DB)}`,
    `CREATE TABLE ${q(UNICODE_DB)}.${q(UNICODE_TABLE)} (id SMALLINT UNSIGNED AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB`,
    `INSERT INTO ${q(UNICODE_DB)}.${q(UNICODE_TABLE)} VALUES (), ()`,
    `CREATE USER '${LIMITED}'@'127.0.0.1' IDENTIFIED BY ${sqlString(EXPORTER_PW)}`,
    `GRANT SELECT ON shop.* TO '${LIMITED}'@'127.0.0.1'`,
  );
  await createExporterUser(server, EXPORTER, EXPORTER_PW);
  // An idle admin session for the processlist to see.
  sleeper = await server.connect();
  await sleeper.query('SELECT 1');
  target = makeTarget(EXPORTER, EXPORTER_PW);
  limitedTarget = makeTarget(LIMITED, EXPORTER_PW);
});

after(async () => {
  await sleeper?.end();
  await target?.close();
  await limitedTarget?.close();
  await server?.destroy();
});

interface Run {
  readonly outcome: CollectorOutcome | undefined;
  readonly sent: string[];
}

async function runOne(collector: Collector, on: Target = target): Promise<Run> {
  const sent: string[] = [];
  const res = await scrape({
    target: {
      key: on.key,
      serverInfo: (signal) => on.serverInfo(signal),
      db: (signal) => {
        const db = on.db(signal);
        return {
          query: (sql, params, opts) => {
            sent.push(sql);
            return db.query(sql, params, opts);
          },
        };
      },
    },
    collectors: [collector],
    signal: AbortSignal.timeout(20_000),
    concurrency: 1,
    maxSeries: 100_000,
    log: silentLogger(),
  });
  assert.equal(res.up, true);
  return { outcome: res.outcomes[0], sent };
}

function ok(r: Run): readonly MetricFamily[] {
  assert.ok(r.outcome, 'collector was skipped');
  assert.equal(r.outcome.error, undefined);
  assert.equal(r.outcome.success, true);
  validateFamilies(r.outcome.families, 100_000);
  return r.outcome.families;
}

test('info_schema.processlist sees the idle admin session', async () => {
  const fams = ok(await runOne(buildCollector(infoSchemaProcesslist)));
  const threads = requireFamily(fams, 'mysql_info_schema_processlist_threads');
  assert.ok((seriesValue(threads, { command: 'sleep', state: 'unknown' }) ?? 0) >= 1);
  assert.ok(
    (seriesValue(requireFamily(fams, 'mysql_info_schema_processlist_processes_by_user'), {
      mysql_user: 'admin',
    }) ?? 0) >= 1,
  );
  assert.ok(
    (seriesValue(requireFamily(fams, 'mysql_info_schema_processlist_processes_by_host'), {
      client_host: '127.0.0.1',
    }) ?? 0) >= 1,
  );
  assert.ok(requireFamily(fams, 'mysql_info_schema_processlist_seconds').samples.length >= 1);
});

test('info_schema.processlist min_time filters on the server', async () => {
  const fams = ok(
    await runOne(
      buildCollector(infoSchemaProcesslist, ['--collect.info_schema.processlist.min_time=100000']),
    ),
  );
  const threads = fams.find((f) => f.name === 'mysql_info_schema_processlist_threads');
  assert.equal(threads ? seriesValue(threads, { command: 'sleep', state: 'unknown' }) : undefined, undefined);
});

test('mysql.user reads the MariaDB view (global_priv) with and without privileges', async () => {
  const plain = ok(await runOne(buildCollector(mysqlUser)));
  assert.deepEqual(plain.map((f) => f.name).sort(), [
    'mysql_mysql_max_connections',
    'mysql_mysql_max_questions',
    'mysql_mysql_max_updates',
    'mysql_mysql_max_user_connections',
  ]);
  const exporterLabels = { mysql_user: EXPORTER, hostmask: '127.0.0.1' };
  assert.equal(seriesValue(requireFamily(plain, 'mysql_mysql_max_user_connections'), exporterLabels), 5);

  const r = await runOne(buildCollector(mysqlUser, ['--collect.mysql.user.privileges']));
  const fams = ok(r);
  assert.equal(fams.length, 4 + 29);
  assert.equal(seriesValue(requireFamily(fams, 'mysql_mysql_process_priv'), exporterLabels), 1);
  assert.equal(seriesValue(requireFamily(fams, 'mysql_mysql_super_priv'), exporterLabels), 0);
  assert.equal(
    seriesValue(requireFamily(fams, 'mysql_mysql_select_priv'), {
      mysql_user: LIMITED,
      hostmask: '127.0.0.1',
    }),
    0,
  );
  assert.ok(!r.sent.some((s) => /authentication_string|Password/.test(s.replace('LIMIT 0', ''))));
});

test('info_schema.tables lists hostile names with the right labels', async () => {
  const fams = ok(await runOne(buildCollector(infoSchemaTables)));
  const rows = requireFamily(fams, 'mysql_info_schema_table_rows');
  assert.equal(seriesValue(rows, { schema: 'shop', table: 'orders' }), 3);
  assert.ok(seriesValue(rows, { schema: WEIRD_DB, table: NEWLINE_TABLE }) !== undefined);
  assert.ok(seriesValue(rows, { schema: UNICODE_DB, table: UNICODE_TABLE }) !== undefined);
  assert.ok(seriesValue(rows, { schema: BACKTICK_DB, table: 't' }) !== undefined);
  assert.ok(
    !rows.samples.some((s) =>
      ['mysql', 'performance_schema', 'information_schema'].includes(s.labels.schema!),
    ),
  );
  // mysqld_exporter 0.14 serves the sys schema's views (measured: test/integration/big-schema.test.ts).
  assert.ok(rows.samples.some((s) => s.labels.schema === 'sys'));
  const version = requireFamily(fams, 'mysql_info_schema_table_version');
  const orders = version.samples.find((s) => s.labels.schema === 'shop' && s.labels.table === 'orders');
  assert.equal(orders?.labels.engine, 'InnoDB');
  assert.equal(orders?.labels.type, 'BASE TABLE');
  assert.equal(orders?.value, 10);
  const view = version.samples.find((s) => s.labels.table === 'v_orders');
  assert.deepEqual(view?.labels, {
    schema: 'shop',
    table: 'v_orders',
    type: 'VIEW',
    engine: 'NONE',
    row_format: 'NONE',
    create_options: 'NONE',
  });
  const size = requireFamily(fams, 'mysql_info_schema_table_size');
  assert.ok((seriesValue(size, { schema: 'shop', table: 'orders', component: 'data_length' }) ?? 0) > 0);
});

test('info_schema.tables with a database list binds the hostile names', async () => {
  const r = await runOne(
    buildCollector(infoSchemaTables, [
      `--collect.info_schema.tables.databases=${WEIRD_DB},${BACKTICK_DB},${UNICODE_DB}`,
    ]),
  );
  const fams = ok(r);
  assert.equal(r.sent.length, 1);
  const rows = requireFamily(fams, 'mysql_info_schema_table_rows');
  assert.deepEqual(
    rows.samples.map((s) => s.labels.schema).sort(),
    [BACKTICK_DB, UNICODE_DB, WEIRD_DB].sort(),
  );
  assert.equal(seriesValue(rows, { schema: UNICODE_DB, table: UNICODE_TABLE }), 2);
});

test('info_schema.tables over its cap serves the largest table on the real server', async () => {
  const r = await runOne(buildCollector(infoSchemaTables, ['--collect.info_schema.tables.max_series=9']));
  const fams = ok(r);
  assert.equal(requireFamily(fams, 'mysql_info_schema_table_rows').samples.length, 1);
  const dropped = seriesValue(requireFamily(fams, 'mysql_exporter_collector_rows_dropped'), {
    collector: 'collect.info_schema.tables',
  });
  assert.ok(dropped !== undefined && dropped >= 1, `dropped ${dropped}`);
});

test('info_schema.innodb_tablespaces: MariaDB 10.11 columns detected once, real file sizes', async () => {
  const c = buildCollector(infoSchemaInnodbTablespaces);
  const first = await runOne(c);
  const fams = ok(first);
  assert.equal(first.sent.length, 2);
  const info = requireFamily(fams, 'mysql_info_schema_innodb_tablespace_space_info');
  const orders = info.samples.find((s) => s.labels.tablespace_name === 'shop/orders');
  assert.ok(orders);
  assert.equal(orders.labels.file_format, 'NONE');
  assert.equal(orders.labels.space_type, 'NONE');
  // MariaDB 10.11 leaves ROW_FORMAT NULL in INNODB_SYS_TABLESPACES.
  assert.ok(['Dynamic', 'NONE'].includes(orders.labels.row_format!));
  assert.ok(orders.value > 0);
  assert.ok(
    (seriesValue(requireFamily(fams, 'mysql_info_schema_innodb_tablespace_file_size_bytes'), {
      tablespace_name: 'shop/orders',
    }) ?? 0) > 0,
  );
  // The server's own encoding of the newline/quote names is passed through as a label value.
  assert.ok(info.samples.some((s) => s.labels.tablespace_name === 'we@0027ird@0022db/line@000abreak'));
  const second = await runOne(c);
  ok(second);
  assert.equal(second.sent.length, 1);
});

test('info_schema.innodb_metrics uses the MariaDB ENABLED column', async () => {
  const r = await runOne(buildCollector(infoSchemaInnodbMetrics));
  const fams = ok(r);
  assert.equal(r.sent.length, 1);
  assert.match(r.sent[0]!, /ENABLED = 1/);
  assert.ok(
    (seriesValue(requireFamily(fams, 'mysql_info_schema_innodb_metrics_buffer_pool_pages'), {
      state: 'data',
    }) ?? 0) > 0,
  );
  assert.equal(
    requireFamily(fams, 'mysql_info_schema_innodb_metrics_buffer_pool_dirty_pages').samples.length,
    1,
  );
  const reads = requireFamily(fams, 'mysql_info_schema_innodb_metrics_buffer_buffer_pool_reads_total');
  assert.equal(reads.type, 'counter');
  assert.ok(reads.samples[0]!.value > 0);
});

test('auto_increment.columns: next values and type maxima, hostile names included', async () => {
  const fams = ok(await runOne(buildCollector(autoIncrementColumns)));
  const cur = requireFamily(fams, 'mysql_info_schema_auto_increment_column');
  const max = requireFamily(fams, 'mysql_info_schema_auto_increment_column_max');
  assert.equal(seriesValue(cur, { schema: 'shop', table: 'orders', column: 'id' }), 4);
  assert.equal(seriesValue(max, { schema: 'shop', table: 'orders', column: 'id' }), 4294967295);
  assert.equal(seriesValue(cur, { schema: WEIRD_DB, table: NEWLINE_TABLE, column: 'id' }), 42);
  assert.equal(seriesValue(max, { schema: WEIRD_DB, table: NEWLINE_TABLE, column: 'id' }), 2 ** 63);
  assert.equal(seriesValue(cur, { schema: UNICODE_DB, table: UNICODE_TABLE, column: 'id' }), 3);
  assert.equal(seriesValue(max, { schema: UNICODE_DB, table: UNICODE_TABLE, column: 'id' }), 65535);
  assert.equal(seriesValue(max, { schema: BACKTICK_DB, table: 't', column: 'id' }), 127);
});

test('binlog_size reads SHOW BINARY LOGS', async () => {
  await server.sql('FLUSH BINARY LOGS');
  const r = await runOne(buildCollector(binlogSize));
  const fams = ok(r);
  assert.deepEqual(r.sent, ['SELECT @@log_bin AS log_bin', 'SHOW BINARY LOGS']);
  assert.ok(requireFamily(fams, 'mysql_binlog_size_bytes').samples[0]!.value > 0);
  const files = requireFamily(fams, 'mysql_binlog_files').samples[0]!.value;
  assert.ok(files >= 2);
  assert.equal(requireFamily(fams, 'mysql_binlog_file_number').samples[0]!.value, files);
});

test('info_schema.userstats and clientstats read the userstat tables', async () => {
  const users = ok(await runOne(buildCollector(infoSchemaUserstats)));
  const total = requireFamily(users, 'mysql_info_schema_user_statistics_total_connections');
  assert.equal(total.type, 'counter');
  assert.ok((seriesValue(total, { user: 'admin' }) ?? 0) >= 1);
  assert.equal(
    requireFamily(users, 'mysql_info_schema_user_statistics_max_statement_time_exceeded').type,
    'untyped',
  );
  assert.ok(
    (seriesValue(requireFamily(users, 'mysql_info_schema_user_statistics_rows_inserted_total'), {
      user: 'admin',
    }) ?? 0) >= 5,
  );

  const clients = ok(await runOne(buildCollector(infoSchemaClientstats)));
  assert.ok(
    (seriesValue(requireFamily(clients, 'mysql_info_schema_client_statistics_total_connections'), {
      client: '127.0.0.1',
    }) ?? 0) >= 1,
  );
  assert.equal(
    requireFamily(clients, 'mysql_info_schema_client_statistics_max_statement_time_exceeded_total').type,
    'counter',
  );
});

test('without the privileges, collectors fail with one statement and the server reason', async () => {
  const user = await runOne(buildCollector(mysqlUser), limitedTarget);
  assert.equal(user.outcome?.success, false);
  assert.match(user.outcome?.error ?? '', /denied/i);
  assert.equal(user.sent.length, 1);

  // The zero-row column probe needs no privilege; it is cached, so later scrapes send one statement.
  const c = buildCollector(infoSchemaInnodbTablespaces);
  for (const statements of [2, 1]) {
    const spaces = await runOne(c, limitedTarget);
    assert.equal(spaces.outcome?.success, false);
    assert.match(spaces.outcome?.error ?? '', /PROCESS privilege/);
    assert.equal(spaces.sent.length, statements);
  }

  const binlog = await runOne(buildCollector(binlogSize), limitedTarget);
  assert.equal(binlog.outcome?.success, false);
  assert.match(binlog.outcome?.error ?? '', /BINLOG MONITOR|denied/i);
  assert.equal(binlog.sent.length, 2);
});
