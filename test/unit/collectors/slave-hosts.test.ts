import assert from 'node:assert/strict';
import { test } from 'node:test';
import { slaveHosts, slaveHostsStatement } from '../../../src/collectors/slave-hosts.js';
import {
  FakeDb,
  MARIADB_1011,
  MARIADB_114,
  MYSQL_57,
  MYSQL_80,
  MYSQL_84,
  context,
  loadTsv,
  result,
  server,
} from '../../helpers/fixtures.js';
import { buildCollector, scrapeOutcome, validSeriesCount } from '../../helpers/collector-under-test.js';
import { requireFamily, seriesValue } from '../../helpers/samples.js';

const INFO = 'mysql_heartbeat_mysql_slave_hosts_info';

test('statement chosen by flavor and version, never by trying', () => {
  assert.equal(slaveHostsStatement(MYSQL_57()), 'SHOW SLAVE HOSTS');
  assert.equal(slaveHostsStatement(server('8.0.21', 'MySQL')), 'SHOW SLAVE HOSTS');
  assert.equal(slaveHostsStatement(server('8.0.22', 'MySQL')), 'SHOW REPLICAS');
  assert.equal(slaveHostsStatement(MYSQL_84()), 'SHOW REPLICAS');
  assert.equal(slaveHostsStatement(MARIADB_1011()), 'SHOW SLAVE HOSTS');
  assert.equal(slaveHostsStatement(MARIADB_114()), 'SHOW SLAVE HOSTS');
});

test('Percona Server 8.0.32 capture (5 columns, SHOW SLAVE HOSTS names)', async () => {
  const db = new FakeDb([[/^SHOW SLAVE HOSTS$/, loadTsv('percona-server-8.0.32/show-slave-hosts.tsv')]]);
  const outcome = await scrapeOutcome(buildCollector(slaveHosts), MYSQL_57(), db);
  assert.equal(outcome?.success, true, outcome?.error);
  const f = requireFamily(outcome!.families, INFO);
  assert.equal(f.type, 'gauge');
  assert.equal(
    seriesValue(f, {
      server_id: '12346',
      slave_host: '127.0.0.1',
      port: '12346',
      master_id: '12345',
      slave_uuid: '05c34f44-20c0-11ee-ad4c-7404f1a10a4a',
    }),
    1,
  );
  assert.equal(db.sent.length, 1);
  validSeriesCount(outcome!.families);
});

// The shapes below are built from the documented column names: no capture exists in the fixtures.
test('SHOW REPLICAS names (Server_Id, Source_Id, Replica_UUID) on MySQL 8.0.22+', async () => {
  const db = new FakeDb([
    [
      /^SHOW REPLICAS$/,
      result(['Server_Id', 'Host', 'Port', 'Source_Id', 'Replica_UUID'], [['3', 'r3', '3306', '1', 'u-3']]),
    ],
  ]);
  const fams = await buildCollector(slaveHosts).collect(context(db, MYSQL_80()));
  assert.deepEqual(requireFamily(fams, INFO).samples[0]!.labels, {
    server_id: '3',
    slave_host: 'r3',
    port: '3306',
    master_id: '1',
    slave_uuid: 'u-3',
  });
});

test('MariaDB 4-column shape: slave_uuid is empty; empty output is a success', async () => {
  const db = new FakeDb([
    [/^SHOW SLAVE HOSTS$/, result(['Server_id', 'Host', 'Port', 'Master_id'], [['2', '', '3307', '1']])],
  ]);
  const fams = await buildCollector(slaveHosts).collect(context(db, MARIADB_1011()));
  assert.equal(
    seriesValue(requireFamily(fams, INFO), {
      server_id: '2',
      slave_host: '',
      port: '3307',
      master_id: '1',
      slave_uuid: '',
    }),
    1,
  );
  validSeriesCount(fams);
  const empty = new FakeDb([[/^SHOW SLAVE HOSTS$/, result(['Server_id', 'Host', 'Port', 'Master_id'], [])]]);
  const outcome = await scrapeOutcome(buildCollector(slaveHosts), MARIADB_114(), empty);
  assert.equal(outcome?.success, true);
  assert.deepEqual(outcome?.families, []);
});

test('--show-slave-auth-info shape (User, Password columns) is read by name', async () => {
  const db = new FakeDb([
    [
      /^SHOW SLAVE HOSTS$/,
      result(
        ['Server_id', 'Host', 'User', 'Password', 'Port', 'Master_id', 'Slave_UUID'],
        [
          ['4', 'r4', 'repl', 'secret', '3306', '1', 'u-4'],
          [null, 'r5', 'repl', 'secret', '3306', '1', null],
        ],
      ),
    ],
  ]);
  const fams = await buildCollector(slaveHosts).collect(context(db, MYSQL_57()));
  const f = requireFamily(fams, INFO);
  assert.equal(
    seriesValue(f, { server_id: '4', slave_host: 'r4', port: '3306', master_id: '1', slave_uuid: 'u-4' }),
    1,
  );
  assert.equal(
    seriesValue(f, { server_id: '', slave_host: 'r5', port: '3306', master_id: '1', slave_uuid: '' }),
    1,
  );
  assert.ok(!JSON.stringify(f).includes('secret'));
  validSeriesCount(fams);
});
