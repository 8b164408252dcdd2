import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  GLOBAL_VARIABLES_SQL,
  globalVariablesCollector,
  parseGcacheSize,
} from '../../../src/collectors/global-variables.js';
import type { ServerInfo } from '../../../src/model/server-info.js';
import type { MetricFamily } from '../../../src/model/metrics.js';
import type { QueryResult } from '../../../src/model/rows.js';
import { validateFamilies } from '../../../src/scrape/validate.js';
import { parseStatusValue } from '../../../src/model/values.js';
import {
  context,
  FakeDb,
  loadTsv,
  MARIADB_1011,
  MYSQL_57,
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
  const db = new FakeDb([[/^SHOW GLOBAL VARIABLES$/, res]]);
  const families = await globalVariablesCollector.create(new Map()).collect(context(db, info));
  validateFamilies(families, 100_000);
  return { families, db };
}

const MYSQL_971 = () => server('9.7.1', 'MySQL Community Server - GPL');
const PERCONA_845 = () => server('8.4.5-5', "Percona Server (GPL), Release '5', Revision '3d3abca6'");

const FIXTURES: ReadonlyArray<{ file: string; info: () => ServerInfo }> = [
  { file: 'mysql-9.7.1/show-global-variables.tsv', info: MYSQL_971 },
  { file: 'percona-server-8.0.32/show-global-variables.tsv', info: PERCONA_80 },
  { file: 'percona-server-8.0.32/show-global-variables.rocksdb-loaded.tsv', info: PERCONA_80 },
  { file: 'percona-server-8.4.5/show-global-variables.tsv', info: PERCONA_845 },
];

const rows = (cells: ReadonlyArray<readonly [string, string | null]>) =>
  result(['Variable_name', 'Value'], cells);

describe('global_variables on captured SHOW GLOBAL VARIABLES output', () => {
  for (const { file, info } of FIXTURES) {
    test(`${file}: every parseable variable is one gauge with its value`, async () => {
      const res = loadTsv(file);
      const { families, db } = await collect(res, info());
      assert.deepEqual(
        db.sent.map((s) => s.sql),
        [GLOBAL_VARIABLES_SQL],
      );
      let parseable = 0;
      for (const row of res.rows) {
        const v = parseStatusValue(row.Value);
        if (v === undefined) continue;
        parseable++;
        const name = `mysql_global_variables_${String(row.Variable_name)
          .replace(/[^a-zA-Z0-9_]/g, '_')
          .toLowerCase()}`;
        const f = findFamily(families, name);
        assert.equal(f?.type, 'gauge', name);
        assert.deepEqual(f?.samples, [{ labels: {}, value: v }], name);
      }
      const generic = families.filter((f) => f.name.startsWith('mysql_global_variables_'));
      assert.equal(generic.length, parseable);
      assert.equal(generic[0]?.help, 'Generic gauge metric from SHOW GLOBAL VARIABLES.');
      // These servers are not Galera nodes.
      assert.equal(findFamily(families, 'mysql_galera_variables_info'), undefined);
      assert.equal(findFamily(families, 'mysql_galera_gcache_size_bytes'), undefined);
    });
  }

  test('mysql-9.7.1: values, version info and transaction isolation read from the file', async () => {
    const { families } = await collect(loadTsv('mysql-9.7.1/show-global-variables.tsv'), MYSQL_971());
    assert.equal(familyValue(families, 'mysql_global_variables_max_connections'), 151);
    assert.equal(familyValue(families, 'mysql_global_variables_innodb_buffer_pool_size'), 16777216);
    assert.equal(familyValue(families, 'mysql_global_variables_wait_timeout'), 28800);
    assert.equal(familyValue(families, 'mysql_global_variables_autocommit'), 1); // ON
    assert.equal(familyValue(families, 'mysql_global_variables_read_only'), 0); // OFF
    assert.deepEqual(findFamily(families, 'mysql_version_info'), {
      name: 'mysql_version_info',
      help: 'MySQL version and distribution.',
      type: 'gauge',
      samples: [
        {
          labels: {
            innodb_version: '9.7.1',
            version: '9.7.1',
            version_comment: 'MySQL Community Server - GPL',
          },
          value: 1,
        },
      ],
    });
    assert.equal(familyValue(families, 'mysql_transaction_isolation', { level: 'REPEATABLE-READ' }), 1);
    // Text variables are not gauges.
    assert.equal(findFamily(families, 'mysql_global_variables_version'), undefined);
    assert.equal(findFamily(families, 'mysql_global_variables_transaction_isolation'), undefined);
  });

  test('percona-server-8.0.32 with MyRocks: rocksdb_* variables and the Percona version comment', async () => {
    const { families } = await collect(
      loadTsv('percona-server-8.0.32/show-global-variables.rocksdb-loaded.tsv'),
      PERCONA_80(),
    );
    assert.equal(familyValue(families, 'mysql_global_variables_rocksdb_block_cache_size'), 536870912);
    assert.equal(familyValue(families, 'mysql_global_variables_rocksdb_max_open_files'), 4080);
    assert.deepEqual(findFamily(families, 'mysql_version_info')?.samples[0]?.labels, {
      innodb_version: '8.0.32-24',
      version: '8.0.32-24',
      version_comment: 'Percona Server (GPL), Release 24, Revision e5c6e9d2',
    });
  });

  test('percona-server-8.4.5: dotted component variables are sanitised', async () => {
    const { families } = await collect(
      loadTsv('percona-server-8.4.5/show-global-variables.tsv'),
      PERCONA_845(),
    );
    // percona_telemetry.grace_interval = 86400 in the capture.
    assert.equal(familyValue(families, 'mysql_global_variables_percona_telemetry_grace_interval'), 86400);
    assert.equal(
      familyValue(families, 'mysql_global_variables_percona_telemetry_history_keep_interval'),
      604800,
    );
    assert.equal(familyValue(families, 'mysql_global_variables_log_bin'), 1);
  });
});

describe('global_variables on small inputs', () => {
  test('validate_password.length (MySQL 8 component) and colliding names: the first wins', async () => {
    const { families } = await collect(
      rows([
        ['validate_password.length', '8'],
        ['validate_password_length', '12'],
        ['a.b', '1'],
        ['A_B', '2'],
      ]),
      MYSQL_57(),
    );
    assert.deepEqual(findFamily(families, 'mysql_global_variables_validate_password_length')?.samples, [
      { labels: {}, value: 8 },
    ]);
    assert.deepEqual(findFamily(families, 'mysql_global_variables_a_b')?.samples, [{ labels: {}, value: 1 }]);
  });

  test('NULL values are skipped; version_info is still emitted with empty labels', async () => {
    const { families } = await collect(
      rows([
        ['max_connections', null],
        ['version', null],
        ['wsrep_cluster_name', null],
        ['wsrep_provider_options', null],
        ['transaction_isolation', null],
      ]),
      MYSQL_57(),
    );
    assert.deepEqual(
      families.map((f) => f.name),
      ['mysql_version_info'],
    );
    assert.deepEqual(findFamily(families, 'mysql_version_info')?.samples[0]?.labels, {
      innodb_version: '',
      version: '',
      version_comment: '',
    });
  });

  test('tx_isolation (MySQL 5.7, MariaDB) is used when transaction_isolation is absent', async () => {
    const only = await collect(rows([['tx_isolation', 'READ-COMMITTED']]), MYSQL_57());
    assert.equal(familyValue(only.families, 'mysql_transaction_isolation', { level: 'READ-COMMITTED' }), 1);
    const both = await collect(
      rows([
        ['transaction_isolation', 'SERIALIZABLE'],
        ['tx_isolation', 'SERIALIZABLE'],
      ]),
      MYSQL_57(),
    );
    assert.deepEqual(findFamily(both.families, 'mysql_transaction_isolation')?.samples, [
      { labels: { level: 'SERIALIZABLE' }, value: 1 },
    ]);
  });

  // No SHOW GLOBAL VARIABLES capture of a Galera node exists in test/fixtures: these rows are written for
  // the test, in the documented wsrep_provider_options format (`key = value; key = value`).
  test('Galera: cluster name info and gcache size from wsrep_provider_options', async () => {
    const options =
      'base_dir = /var/lib/mysql/; base_host = 10.0.0.1; base_port = 4567; cert.log_conflicts = no; ' +
      'gcache.dir = /var/lib/mysql/; gcache.keep_pages_size = 0; gcache.mem_size = 0; gcache.name = galera.cache; ' +
      'gcache.page_size = 128M; gcache.recover = yes; gcache.size = 128M; gcomm.thread_prio = ; gcs.fc_limit = 16';
    const { families } = await collect(
      rows([
        ['wsrep_cluster_name', 'my_wsrep_cluster'],
        ['wsrep_provider_options', options],
        ['wsrep_desync', 'OFF'],
      ]),
      MARIADB_1011(),
    );
    assert.deepEqual(findFamily(families, 'mysql_galera_variables_info')?.samples, [
      { labels: { wsrep_cluster_name: 'my_wsrep_cluster' }, value: 1 },
    ]);
    assert.equal(familyValue(families, 'mysql_galera_gcache_size_bytes'), 128 * 1024 * 1024);
    // The mixin's MySQLGaleraOutOfSync alert reads this gauge.
    assert.equal(familyValue(families, 'mysql_global_variables_wsrep_desync'), 0);
  });

  test('parseGcacheSize: units, last option without `;`, absence', () => {
    assert.equal(parseGcacheSize('gcache.size = 2G; gcache.page_size = 128M'), 2 * 1024 ** 3);
    assert.equal(parseGcacheSize('a = b; gcache.size = 1048576'), 1048576);
    assert.equal(parseGcacheSize('gcache.size = 300K;'), 300 * 1024);
    assert.equal(parseGcacheSize('gcache.page_size = 128M;'), undefined);
    assert.equal(parseGcacheSize(''), undefined);
  });
});

test('global_variables is a default collector; gated below MySQL 5.1 (no query sent)', async () => {
  assert.equal(globalVariablesCollector.name, 'global_variables');
  assert.equal(globalVariablesCollector.enabledByDefault, true);
  const collector = globalVariablesCollector.create(new Map());
  const old = server('5.0.96', 'MySQL Community Server (GPL)');
  assert.equal(collector.supports(old), false);
  assert.equal(collector.supports(MARIADB_1011()), true);
  const db = new FakeDb([]);
  const res = await scrapeOnce(collector, old, db);
  assert.deepEqual(res.outcomes, []);
  assert.deepEqual(db.sent, []);
});
