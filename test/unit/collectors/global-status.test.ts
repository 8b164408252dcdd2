import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  GLOBAL_STATUS_SQL,
  globalStatusCollector,
  parseEvsReplLatency,
} from '../../../src/collectors/global-status.js';
import type { ServerInfo } from '../../../src/model/server-info.js';
import type { Labels, MetricFamily } from '../../../src/model/metrics.js';
import type { QueryResult } from '../../../src/model/rows.js';
import { validateFamilies } from '../../../src/scrape/validate.js';
import { parseStatusValue } from '../../../src/model/values.js';
import {
  context,
  FakeDb,
  loadTsv,
  MARIADB_108,
  MYSQL_57,
  MYSQL_80,
  PERCONA_80,
  result,
  server,
  scrapeOnce,
} from '../../helpers/fixtures.js';
import { findFamily, familyValue } from '../../helpers/samples.js';

async function collect(
  res: QueryResult,
  info: ServerInfo,
): Promise<{ families: MetricFamily[]; db: FakeDb }> {
  const db = new FakeDb([[/^SHOW GLOBAL STATUS$/, res]]);
  const families = await globalStatusCollector.create(new Map()).collect(context(db, info));
  validateFamilies(families, 100_000);
  return { families, db };
}

function seriesCount(families: readonly MetricFamily[]): number {
  return families.reduce((n, f) => n + f.samples.length, 0);
}

const FIXTURES: ReadonlyArray<{ dir: string; info: () => ServerInfo }> = [
  { dir: 'mysql-5.7', info: MYSQL_57 },
  { dir: 'mysql-8.0.30', info: MYSQL_80 },
  { dir: 'mysql-9.7.1', info: () => server('9.7.1', 'MySQL Community Server - GPL') },
  { dir: 'percona-server-8.0.29', info: () => server('8.0.29-21', 'Percona Server (GPL), Release 21') },
  { dir: 'percona-server-8.0.32', info: PERCONA_80 },
  { dir: 'mariadb-10.8.4', info: MARIADB_108 },
  { dir: 'mariadb-10.8.4-galera', info: () => server('10.8.4-MariaDB-log', 'MariaDB Server') },
];

/**
 * An independent statement of the mapping rules (reference section (c) 2-3), used to cross-check every
 * row of every capture: which series a variable must land in.
 */
function expectedSeries(variable: string): { name: string; labels: Labels } | 'dropped' {
  const key = variable.replace(/[^a-zA-Z0-9_]/g, '_').toLowerCase();
  const groups: Array<[string, string, string]> = [
    ['com_', 'mysql_global_status_commands_total', 'command'],
    ['handler_', 'mysql_global_status_handlers_total', 'handler'],
    ['connection_errors_', 'mysql_global_status_connection_errors_total', 'error'],
    ['innodb_rows_', 'mysql_global_status_innodb_row_ops_total', 'operation'],
    ['performance_schema_', 'mysql_global_status_performance_schema_lost_total', 'instrumentation'],
  ];
  for (const [prefix, name, label] of groups) {
    if (key.startsWith(prefix)) return { name, labels: { [label]: key.slice(prefix.length) } };
  }
  if (key.startsWith('innodb_buffer_pool_pages_')) {
    const suffix = key.slice('innodb_buffer_pool_pages_'.length);
    if (suffix === 'total') return 'dropped';
    if (suffix === 'dirty') return { name: 'mysql_global_status_buffer_pool_dirty_pages', labels: {} };
    if (['data', 'free', 'misc', 'old'].includes(suffix))
      return { name: 'mysql_global_status_buffer_pool_pages', labels: { state: suffix } };
    return { name: 'mysql_global_status_buffer_pool_page_changes_total', labels: { operation: suffix } };
  }
  return { name: `mysql_global_status_${key}`, labels: {} };
}

describe('global_status on captured SHOW GLOBAL STATUS output', () => {
  for (const { dir, info } of FIXTURES) {
    test(`${dir}: every parseable row lands in exactly its series, with its value`, async () => {
      const res = loadTsv(`${dir}/show-global-status.tsv`);
      const { families, db } = await collect(res, info());
      assert.deepEqual(
        db.sent.map((s) => s.sql),
        [GLOBAL_STATUS_SQL],
      );
      let expected = 0;
      for (const row of res.rows) {
        const name = String(row.Variable_name);
        const v = parseStatusValue(row.Value);
        const where = expectedSeries(name);
        if (v === undefined || where === 'dropped') {
          if (where !== 'dropped') continue;
          assert.equal(
            familyValue(families, 'mysql_global_status_buffer_pool_pages', { state: 'total' }),
            undefined,
          );
          continue;
        }
        expected++;
        assert.equal(familyValue(families, where.name, where.labels), v, `${dir}: ${name}`);
      }
      const galera = families.filter((f) => f.name.startsWith('mysql_galera_'));
      assert.equal(seriesCount(families) - seriesCount(galera), expected, 'no extra series');
    });
  }

  test('mysql-5.7: values read from the file', async () => {
    const { families } = await collect(loadTsv('mysql-5.7/show-global-status.tsv'), MYSQL_57());
    assert.equal(familyValue(families, 'mysql_global_status_commands_total', { command: 'select' }), 33);
    assert.equal(
      familyValue(families, 'mysql_global_status_handlers_total', { handler: 'read_rnd_next' }),
      49678,
    );
    assert.equal(familyValue(families, 'mysql_global_status_buffer_pool_pages', { state: 'data' }), 252);
    assert.equal(
      familyValue(families, 'mysql_global_status_innodb_row_ops_total', { operation: 'read' }),
      46274,
    );
    assert.equal(familyValue(families, 'mysql_global_status_uptime'), 546);
    assert.equal(familyValue(families, 'mysql_global_status_threads_connected'), 3);
    assert.equal(familyValue(families, 'mysql_global_status_questions'), 423);
    // Ssl_server_not_after is empty on this server: skipped, not zero.
    assert.equal(findFamily(families, 'mysql_global_status_ssl_server_not_after'), undefined);
  });

  test('mysql-8.0.30: grouped families, types and HELP texts', async () => {
    const { families } = await collect(loadTsv('mysql-8.0.30/show-global-status.tsv'), MYSQL_80());
    const commands = findFamily(families, 'mysql_global_status_commands_total');
    assert.equal(commands?.type, 'counter');
    assert.equal(commands?.help, 'Total number of executed MySQL commands.');
    assert.equal(familyValue(families, 'mysql_global_status_commands_total', { command: 'select' }), 2);
    assert.equal(
      familyValue(families, 'mysql_global_status_handlers_total', { handler: 'read_rnd_next' }),
      4723,
    );
    assert.equal(
      familyValue(families, 'mysql_global_status_connection_errors_total', { error: 'max_connections' }),
      0,
    );
    const pages = findFamily(families, 'mysql_global_status_buffer_pool_pages');
    assert.equal(pages?.type, 'gauge');
    assert.deepEqual(pages?.samples.map((s) => s.labels.state).sort(), ['data', 'free', 'misc']);
    assert.equal(familyValue(families, 'mysql_global_status_buffer_pool_pages', { state: 'data' }), 1045);
    assert.equal(familyValue(families, 'mysql_global_status_buffer_pool_pages', { state: 'free' }), 7143);
    assert.equal(findFamily(families, 'mysql_global_status_buffer_pool_dirty_pages')?.type, 'gauge');
    assert.equal(familyValue(families, 'mysql_global_status_buffer_pool_dirty_pages'), 0);
    assert.equal(
      familyValue(families, 'mysql_global_status_buffer_pool_page_changes_total', { operation: 'flushed' }),
      361,
    );
    assert.equal(findFamily(families, 'mysql_global_status_buffer_pool_page_changes_total')?.type, 'counter');
    // Non-"lost" performance_schema variables are forced into the _lost_total family, as upstream does.
    assert.equal(
      familyValue(families, 'mysql_global_status_performance_schema_lost_total', {
        instrumentation: 'session_connect_attrs_longest_seen',
      }),
      112,
    );
    assert.equal(
      familyValue(families, 'mysql_global_status_performance_schema_lost_total', {
        instrumentation: 'users_lost',
      }),
      0,
    );
    const uptime = findFamily(families, 'mysql_global_status_uptime');
    assert.equal(uptime?.type, 'untyped');
    assert.equal(uptime?.help, 'Generic metric from SHOW GLOBAL STATUS.');
    assert.equal(familyValue(families, 'mysql_global_status_uptime'), 152);
    // "Aug 15 12:43:39 2032 GMT" -> Unix seconds.
    assert.equal(
      familyValue(families, 'mysql_global_status_ssl_server_not_after'),
      Date.UTC(2032, 7, 15, 12, 43, 39) / 1000,
    );
    assert.equal(findFamily(families, 'mysql_galera_status_info'), undefined);
  });

  test('mysql-9.7.1: PEM keys skipped, option_tracker names sanitised', async () => {
    const { families } = await collect(
      loadTsv('mysql-9.7.1/show-global-status.tsv'),
      server('9.7.1', 'MySQL Community Server - GPL'),
    );
    assert.equal(familyValue(families, 'mysql_global_status_commands_total', { command: 'select' }), 43560);
    assert.equal(
      familyValue(families, 'mysql_global_status_innodb_row_ops_total', { operation: 'read' }),
      1765644,
    );
    assert.equal(familyValue(families, 'mysql_global_status_uptime'), 95513);
    assert.equal(findFamily(families, 'mysql_global_status_rsa_public_key'), undefined);
    // `option_tracker_usage:Traditional Optimizer` -> option_tracker_usage_traditional_optimizer
    assert.equal(
      familyValue(families, 'mysql_global_status_option_tracker_usage_traditional_optimizer'),
      49725,
    );
    assert.equal(familyValue(families, 'mysql_global_status_option_tracker_usage_binary_log'), 0);
  });

  test('percona-server-8.0.29 and 8.0.32: old pages, made_young, dirty pages', async () => {
    const p29 = (await collect(loadTsv('percona-server-8.0.29/show-global-status.tsv'), PERCONA_80()))
      .families;
    assert.equal(familyValue(p29, 'mysql_global_status_commands_total', { command: 'select' }), 1687);
    assert.equal(familyValue(p29, 'mysql_global_status_buffer_pool_dirty_pages'), 3);
    assert.equal(familyValue(p29, 'mysql_global_status_buffer_pool_pages', { state: 'old' }), 421);
    assert.equal(
      familyValue(p29, 'mysql_global_status_buffer_pool_page_changes_total', { operation: 'made_young' }),
      6342,
    );
    const p32 = (await collect(loadTsv('percona-server-8.0.32/show-global-status.tsv'), PERCONA_80()))
      .families;
    assert.equal(familyValue(p32, 'mysql_global_status_commands_total', { command: 'select' }), 6584);
    assert.equal(familyValue(p32, 'mysql_global_status_buffer_pool_dirty_pages'), 110);
    // "Jul  9 14:25:56 2033 GMT" (two spaces before a one-digit day).
    assert.equal(
      familyValue(p32, 'mysql_global_status_ssl_server_not_after'),
      Date.UTC(2033, 6, 9, 14, 25, 56) / 1000,
    );
  });

  test('percona-server-8.0.32 with MyRocks loaded passes validation', async () => {
    const { families } = await collect(
      loadTsv('percona-server-8.0.32/show-global-status.rocksdb-loaded.tsv'),
      PERCONA_80(),
    );
    assert.ok(families.some((f) => f.name.startsWith('mysql_global_status_rocksdb_')));
  });

  test('mariadb-10.8.4: ON/OFF words become 1/0', async () => {
    const { families } = await collect(loadTsv('mariadb-10.8.4/show-global-status.tsv'), MARIADB_108());
    assert.equal(familyValue(families, 'mysql_global_status_commands_total', { command: 'select' }), 6);
    assert.equal(familyValue(families, 'mysql_global_status_buffer_pool_dirty_pages'), 29);
    assert.equal(familyValue(families, 'mysql_global_status_slave_running'), 1);
    assert.equal(familyValue(families, 'mysql_global_status_uptime'), 52310);
  });

  test('mariadb-10.8.4-galera: galera info and EVS latency gauges', async () => {
    const { families } = await collect(
      loadTsv('mariadb-10.8.4-galera/show-global-status.tsv'),
      server('10.8.4-MariaDB-log', 'MariaDB Server'),
    );
    const info = findFamily(families, 'mysql_galera_status_info');
    assert.equal(info?.type, 'gauge');
    assert.equal(info?.help, 'PXC/Galera status information.');
    assert.deepEqual(info?.samples, [
      {
        labels: {
          wsrep_local_state_uuid: '479ce105-1e65-11ed-b2c3-8ac44f1dd1c9',
          wsrep_cluster_state_uuid: '479ce105-1e65-11ed-b2c3-8ac44f1dd1c9',
          wsrep_provider_version: '4.12(r6311685)',
        },
        value: 1,
      },
    ]);
    // wsrep_evs_repl_latency = 0.000200973/0.125339/1.00029/0.330702/8
    assert.equal(familyValue(families, 'mysql_galera_evs_repl_latency_min_seconds'), 0.000200973);
    assert.equal(familyValue(families, 'mysql_galera_evs_repl_latency_avg_seconds'), 0.125339);
    assert.equal(familyValue(families, 'mysql_galera_evs_repl_latency_max_seconds'), 1.00029);
    assert.equal(familyValue(families, 'mysql_galera_evs_repl_latency_stdev'), 0.330702);
    assert.equal(familyValue(families, 'mysql_galera_evs_repl_latency_sample_size'), 8);
    for (const f of families.filter((x) => x.name.startsWith('mysql_galera_evs')))
      assert.equal(f.type, 'gauge');
    // The mixin's Galera alerts read these untyped gauges.
    assert.equal(familyValue(families, 'mysql_global_status_wsrep_ready'), 1);
    assert.equal(familyValue(families, 'mysql_global_status_wsrep_local_state'), 4);
    assert.equal(familyValue(families, 'mysql_global_status_wsrep_cluster_status'), 1); // Primary
    assert.equal(familyValue(families, 'mysql_global_status_wsrep_local_recv_queue'), 0);
    // `false` is not one of parseStatus's words: skipped, as upstream does.
    assert.equal(findFamily(families, 'mysql_global_status_wsrep_flow_control_active'), undefined);
    assert.equal(familyValue(families, 'mysql_global_status_commands_total', { command: 'select' }), 12);
  });
});

describe('global_status on small inputs', () => {
  const rows = (cells: ReadonlyArray<readonly [string, string | null]>) =>
    result(['Variable_name', 'Value'], cells);

  test('NULL and empty values are skipped, never zero', async () => {
    const { families } = await collect(
      rows([
        ['Com_select', null],
        ['Uptime', '10'],
        ['Innodb_buffer_pool_pages_dirty', null],
        ['Ssl_cipher', ''],
        ['wsrep_local_state_uuid', null],
        ['wsrep_evs_repl_latency', null],
      ]),
      MYSQL_80(),
    );
    assert.deepEqual(
      families.map((f) => [f.name, f.samples.length]),
      [['mysql_global_status_uptime', 1]],
    );
  });

  test('MySQL 8 component variables with dots are sanitised', async () => {
    const { families } = await collect(
      rows([
        ['validate_password.dictionary_file_words_count', '0'],
        ['validate_password.dictionary_file_last_parsed', '2022-08-18 12:43:39'],
      ]),
      MYSQL_80(),
    );
    assert.equal(
      familyValue(families, 'mysql_global_status_validate_password_dictionary_file_words_count'),
      0,
    );
    assert.equal(
      familyValue(families, 'mysql_global_status_validate_password_dictionary_file_last_parsed'),
      Date.UTC(2022, 7, 18, 12, 43, 39) / 1000,
    );
  });

  test('variables that collide after sanitising keep the first, drop the other', async () => {
    const { families } = await collect(
      rows([
        ['Foo.bar', '1'],
        ['foo_bar', '2'],
        ['Com_a.b', '3'],
        ['Com_a_b', '4'],
        ['Innodb_buffer_pool_pages_x.y', '5'],
        ['innodb_buffer_pool_pages_x_y', '6'],
      ]),
      MYSQL_80(),
    );
    assert.deepEqual(findFamily(families, 'mysql_global_status_foo_bar')?.samples, [
      { labels: {}, value: 1 },
    ]);
    assert.deepEqual(findFamily(families, 'mysql_global_status_commands_total')?.samples, [
      { labels: { command: 'a_b' }, value: 3 },
    ]);
    assert.deepEqual(findFamily(families, 'mysql_global_status_buffer_pool_page_changes_total')?.samples, [
      { labels: { operation: 'x_y' }, value: 5 },
    ]);
  });

  test('a malformed wsrep_evs_repl_latency emits no latency gauges', async () => {
    assert.equal(parseEvsReplLatency('1/2/3'), undefined);
    assert.equal(parseEvsReplLatency('1/2/x/4/5'), undefined);
    assert.deepEqual(parseEvsReplLatency('1/2/3/4/5'), [1, 2, 3, 4, 5]);
    const { families } = await collect(
      rows([
        ['wsrep_local_state_uuid', 'u1'],
        ['wsrep_evs_repl_latency', '0/0/0'],
      ]),
      MARIADB_108(),
    );
    assert.deepEqual(
      families.map((f) => f.name),
      ['mysql_galera_status_info'],
    );
    assert.deepEqual(findFamily(families, 'mysql_galera_status_info')?.samples[0]?.labels, {
      wsrep_local_state_uuid: 'u1',
      wsrep_cluster_state_uuid: '',
      wsrep_provider_version: '',
    });
  });
});

test('global_status is registered as a default collector and gated below MySQL 5.1 (no query sent)', async () => {
  assert.equal(globalStatusCollector.name, 'global_status');
  assert.equal(globalStatusCollector.enabledByDefault, true);
  const collector = globalStatusCollector.create(new Map());
  assert.equal(collector.supports(MYSQL_57()), true);
  assert.equal(collector.supports(MARIADB_108()), true);
  const old = server('5.0.96-log', 'MySQL Community Server (GPL)');
  assert.equal(collector.supports(old), false);
  const db = new FakeDb([]);
  const res = await scrapeOnce(collector, old, db);
  assert.equal(res.up, true);
  assert.deepEqual(res.outcomes, []);
  assert.deepEqual(db.sent, []);
});
