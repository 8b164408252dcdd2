import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  legacyReplicaColumn,
  parseGtidList,
  SHOW_ALL_SLAVES_STATUS_SQL,
  SHOW_REPLICA_STATUS_SQL,
  SHOW_SLAVE_STATUS_SQL,
  slaveStatusCollector,
  slaveStatusStatement,
} from '../../../src/collectors/slave-status.js';
import type { ServerInfo } from '../../../src/model/server-info.js';
import type { Cell, QueryResult, Row } from '../../../src/model/rows.js';
import type { Labels, MetricFamily } from '../../../src/model/metrics.js';
import { validateFamilies } from '../../../src/scrape/validate.js';
import {
  context,
  FakeDb,
  loadTsv,
  MARIADB_108,
  MARIADB_1011,
  MYSQL_57,
  MYSQL_80,
  MYSQL_84,
  result,
  server,
  scrapeOnce,
} from '../../helpers/fixtures.js';
import { findFamily, familyValue } from '../../helpers/samples.js';

/** Answers any of the three replica statements with `res`, recording which one was sent. */
async function collect(
  res: QueryResult,
  info: ServerInfo,
): Promise<{ families: MetricFamily[]; db: FakeDb }> {
  const db = new FakeDb([[/^SHOW (ALL SLAVES|SLAVE|REPLICA) STATUS$/, res]]);
  const families = await slaveStatusCollector.create(new Map()).collect(context(db, info));
  validateFamilies(families, 100_000);
  return { families, db };
}

const MYSQL_8021 = () => server('8.0.21', 'MySQL Community Server - GPL');

/**
 * The column renames of MySQL 8.0.22 (SHOW REPLICA STATUS in the MySQL 8.0 reference manual), old -> new.
 * Written out here, independently of the collector's legacyReplicaColumn, to build the test input.
 */
const MYSQL_8022_RENAMES: Readonly<Record<string, string>> = {
  Slave_IO_State: 'Replica_IO_State',
  Master_Host: 'Source_Host',
  Master_User: 'Source_User',
  Master_Port: 'Source_Port',
  Master_Log_File: 'Source_Log_File',
  Read_Master_Log_Pos: 'Read_Source_Log_Pos',
  Relay_Master_Log_File: 'Relay_Source_Log_File',
  Slave_IO_Running: 'Replica_IO_Running',
  Slave_SQL_Running: 'Replica_SQL_Running',
  Exec_Master_Log_Pos: 'Exec_Source_Log_Pos',
  Master_SSL_Allowed: 'Source_SSL_Allowed',
  Master_SSL_CA_File: 'Source_SSL_CA_File',
  Master_SSL_CA_Path: 'Source_SSL_CA_Path',
  Master_SSL_Cert: 'Source_SSL_Cert',
  Master_SSL_Cipher: 'Source_SSL_Cipher',
  Master_SSL_Key: 'Source_SSL_Key',
  Seconds_Behind_Master: 'Seconds_Behind_Source',
  Master_SSL_Verify_Server_Cert: 'Source_SSL_Verify_Server_Cert',
  Master_Server_Id: 'Source_Server_Id',
  Master_UUID: 'Source_UUID',
  Master_Info_File: 'Source_Info_File',
  Slave_SQL_Running_State: 'Replica_SQL_Running_State',
  Master_Retry_Count: 'Source_Retry_Count',
  Master_Bind: 'Source_Bind',
  Master_SSL_Crl: 'Source_SSL_Crl',
  Master_SSL_Crlpath: 'Source_SSL_Crlpath',
  Master_TLS_Version: 'Source_TLS_Version',
  Master_public_key_path: 'Source_public_key_path',
  Get_master_public_key: 'Get_Source_public_key',
};

/**
 * No genuine SHOW REPLICA STATUS capture exists (see test/fixtures/README.md, "Not found"). This builds
 * one from the real MySQL 8.0.30 SHOW SLAVE STATUS capture by renaming its columns with the documented
 * 8.0.22 renames above; values and column order are untouched.
 */
function replicaStatusFromSlaveStatus(res: QueryResult): QueryResult {
  const rename = (c: string) => MYSQL_8022_RENAMES[c] ?? c;
  return {
    columns: res.columns.map(rename),
    rows: res.rows.map((row: Row) => {
      const out: Record<string, Cell> = {};
      for (const c of res.columns) out[rename(c)] = row[c] ?? null;
      return out;
    }),
  };
}

const mysqlLabels = (host: string, uuid: string, channel: string): Labels => ({
  master_host: host,
  master_uuid: uuid,
  channel_name: channel,
  connection_name: '',
});
const MASTER1 = mysqlLabels('mysql-master1', '61221e31-1ef3-11ed-a56a-0242ac120002', 'master1');
const MASTER2 = mysqlLabels('mysql-master2', '6151d979-1ef3-11ed-a509-0242ac120003', 'master2');

describe('statement choice: one statement per scrape, by flavor and version', () => {
  test('slaveStatusStatement', () => {
    assert.equal(slaveStatusStatement(MARIADB_108()), SHOW_ALL_SLAVES_STATUS_SQL);
    assert.equal(slaveStatusStatement(MARIADB_1011()), SHOW_ALL_SLAVES_STATUS_SQL);
    assert.equal(slaveStatusStatement(server('5.5.68-MariaDB', 'MariaDB Server')), SHOW_SLAVE_STATUS_SQL);
    assert.equal(slaveStatusStatement(MYSQL_57()), SHOW_SLAVE_STATUS_SQL);
    assert.equal(slaveStatusStatement(MYSQL_8021()), SHOW_SLAVE_STATUS_SQL);
    assert.equal(slaveStatusStatement(server('8.0.22', '')), SHOW_REPLICA_STATUS_SQL);
    assert.equal(slaveStatusStatement(MYSQL_80()), SHOW_REPLICA_STATUS_SQL);
    assert.equal(slaveStatusStatement(MYSQL_84()), SHOW_REPLICA_STATUS_SQL);
    assert.equal(slaveStatusStatement(server('9.7.1', '')), SHOW_REPLICA_STATUS_SQL);
  });

  test('the collector sends exactly that statement and nothing else', async () => {
    const empty = result([], []);
    for (const [info, sql] of [
      [MARIADB_108(), SHOW_ALL_SLAVES_STATUS_SQL],
      [MYSQL_57(), SHOW_SLAVE_STATUS_SQL],
      [MYSQL_84(), SHOW_REPLICA_STATUS_SQL],
    ] as const) {
      const { db, families } = await collect(empty, info);
      assert.deepEqual(
        db.sent.map((s) => s.sql),
        [sql],
      );
      assert.deepEqual(families, []); // not a replica: no rows, no metrics
    }
  });
});

describe('legacyReplicaColumn', () => {
  test('maps the 8.0.22 names back to the names dashboards use', () => {
    const cases: Array<[string, string]> = [
      ['seconds_behind_source', 'seconds_behind_master'],
      ['replica_io_running', 'slave_io_running'],
      ['replica_sql_running', 'slave_sql_running'],
      ['replica_io_state', 'slave_io_state'],
      ['replica_sql_running_state', 'slave_sql_running_state'],
      ['source_host', 'master_host'],
      ['read_source_log_pos', 'read_master_log_pos'],
      ['exec_source_log_pos', 'exec_master_log_pos'],
      ['relay_source_log_file', 'relay_master_log_file'],
      ['source_ssl_verify_server_cert', 'master_ssl_verify_server_cert'],
      ['source_server_id', 'master_server_id'],
      ['source_retry_count', 'master_retry_count'],
      ['get_source_public_key', 'get_master_public_key'],
      ['source_public_key_path', 'master_public_key_path'],
    ];
    for (const [from, to] of cases) assert.equal(legacyReplicaColumn(from), to, from);
  });

  test('leaves other names alone (replicate_* is not a "replica" word)', () => {
    for (const n of [
      'replicate_do_db',
      'replicate_ignore_server_ids',
      'sql_delay',
      'channel_name',
      'auto_position',
    ])
      assert.equal(legacyReplicaColumn(n), n);
    assert.equal(legacyReplicaColumn('seconds_behind_master'), 'seconds_behind_master');
  });

  test('agrees with every documented rename', () => {
    for (const [oldName, newName] of Object.entries(MYSQL_8022_RENAMES))
      assert.equal(legacyReplicaColumn(newName.toLowerCase()), oldName.toLowerCase(), newName);
  });
});

describe('MySQL', () => {
  const slaveStatus = () => loadTsv('mysql-8.0.30/show-slave-status.tsv');

  test('SHOW SLAVE STATUS (MySQL 8.0.30 capture, 2 channels) on MySQL < 8.0.22: lowercased columns, labels', async () => {
    const { families } = await collect(slaveStatus(), MYSQL_8021());
    const io = findFamily(families, 'mysql_slave_status_slave_io_running');
    assert.equal(io?.type, 'untyped');
    assert.equal(io?.help, 'Generic metric from SHOW SLAVE STATUS.');
    assert.equal(familyValue(families, 'mysql_slave_status_slave_io_running', MASTER1), 1);
    assert.equal(familyValue(families, 'mysql_slave_status_slave_sql_running', MASTER2), 1);
    assert.equal(familyValue(families, 'mysql_slave_status_seconds_behind_master', MASTER1), 0);
    assert.equal(familyValue(families, 'mysql_slave_status_read_master_log_pos', MASTER1), 975);
    assert.equal(familyValue(families, 'mysql_slave_status_read_master_log_pos', MASTER2), 974);
    assert.equal(familyValue(families, 'mysql_slave_status_relay_log_space', MASTER2), 1598);
    assert.equal(familyValue(families, 'mysql_slave_status_master_server_id', MASTER2), 2);
    assert.equal(familyValue(families, 'mysql_slave_status_master_retry_count', MASTER1), 86400);
    assert.equal(familyValue(families, 'mysql_slave_status_sql_delay', MASTER1), 0);
    // NULL (SQL_Remaining_Delay) and text (Master_Host, binlog file names, GTID sets) are skipped.
    assert.equal(findFamily(families, 'mysql_slave_status_sql_remaining_delay'), undefined);
    assert.equal(findFamily(families, 'mysql_slave_status_master_host'), undefined);
    assert.equal(findFamily(families, 'mysql_slave_status_master_log_file'), undefined);
    assert.equal(findFamily(families, 'mysql_slave_status_executed_gtid_set'), undefined);
    // No Source_/Replica_ columns, so no aliases either.
    assert.ok(!families.some((f) => /source|replica_/.test(f.name)));
  });

  test('SHOW REPLICA STATUS (renamed 8.0.30 capture) on MySQL >= 8.0.22: new names AND the old ones', async () => {
    const replica = replicaStatusFromSlaveStatus(slaveStatus());
    // The rename table covers every Master/Slave column of the capture.
    assert.ok(!replica.columns.some((c) => /master|slave/i.test(c)), replica.columns.join());
    const { families, db } = await collect(replica, MYSQL_80());
    assert.deepEqual(
      db.sent.map((s) => s.sql),
      [SHOW_REPLICA_STATUS_SQL],
    );
    // Labels come from Source_Host / Source_UUID.
    assert.equal(familyValue(families, 'mysql_slave_status_replica_io_running', MASTER1), 1);
    assert.equal(familyValue(families, 'mysql_slave_status_slave_io_running', MASTER1), 1);
    assert.equal(familyValue(families, 'mysql_slave_status_seconds_behind_source', MASTER2), 0);
    assert.equal(familyValue(families, 'mysql_slave_status_seconds_behind_master', MASTER2), 0);
    assert.equal(familyValue(families, 'mysql_slave_status_read_source_log_pos', MASTER1), 975);
    assert.equal(familyValue(families, 'mysql_slave_status_read_master_log_pos', MASTER1), 975);
    assert.equal(familyValue(families, 'mysql_slave_status_get_source_public_key', MASTER1), 0);
    assert.equal(familyValue(families, 'mysql_slave_status_get_master_public_key', MASTER1), 0);
    // Unchanged names appear once.
    assert.equal(familyValue(families, 'mysql_slave_status_sql_delay', MASTER1), 0);
    assert.equal(familyValue(families, 'mysql_slave_status_auto_position', MASTER2), 1);

    // Every family of the old statement's output is present, with the same samples, under the old name.
    const old = (await collect(slaveStatus(), MYSQL_8021())).families;
    for (const f of old) assert.deepEqual(findFamily(families, f.name)?.samples, f.samples, f.name);
    // And each new-name family has its old-name twin.
    for (const f of families) {
      const legacy = `mysql_slave_status_${legacyReplicaColumn(f.name.slice('mysql_slave_status_'.length))}`;
      assert.deepEqual(findFamily(families, legacy)?.samples, f.samples, f.name);
    }
  });

  test('Master_UUID and Channel_Name absent (MySQL 5.5 era output): empty labels', async () => {
    const { families } = await collect(
      result(['Slave_IO_Running', 'Master_Host', 'Seconds_Behind_Master'], [['Connecting', 'db1', null]]),
      MYSQL_57(),
    );
    assert.deepEqual(families, [
      {
        name: 'mysql_slave_status_slave_io_running',
        help: 'Generic metric from SHOW SLAVE STATUS.',
        type: 'untyped',
        samples: [{ labels: mysqlLabels('db1', '', ''), value: 0 }],
      },
    ]);
  });
});

describe('MariaDB', () => {
  const conn = (name: string): Labels => ({
    master_host: 'master',
    master_uuid: '',
    channel_name: '',
    connection_name: name,
  });

  test('SHOW ALL SLAVES STATUS (10.8.4 capture, 2 connections)', async () => {
    const { families, db } = await collect(
      loadTsv('mariadb-10.8.4/show-all-slaves-status.tsv'),
      MARIADB_108(),
    );
    assert.deepEqual(
      db.sent.map((s) => s.sql),
      [SHOW_ALL_SLAVES_STATUS_SQL],
    );
    for (const name of ['Master1', 'Master2']) {
      assert.equal(familyValue(families, 'mysql_slave_status_slave_io_running', conn(name)), 1);
      assert.equal(familyValue(families, 'mysql_slave_status_slave_sql_running', conn(name)), 1);
      assert.equal(familyValue(families, 'mysql_slave_status_seconds_behind_master', conn(name)), 0);
      assert.equal(familyValue(families, 'mysql_slave_status_read_master_log_pos', conn(name)), 342);
      assert.equal(familyValue(families, 'mysql_slave_status_master_server_id', conn(name)), 765);
      assert.equal(familyValue(families, 'mysql_slave_status_slave_ddl_groups', conn(name)), 7);
      assert.equal(familyValue(families, 'mysql_slave_status_slave_received_heartbeats', conn(name)), 1767);
      assert.equal(familyValue(families, 'mysql_slave_status_slave_heartbeat_period', conn(name)), 30);
      assert.equal(familyValue(families, 'mysql_slave_status_using_gtid', conn(name)), 0); // No
      // Gtid_Slave_Pos = 0-308-9
      assert.equal(
        familyValue(families, 'mysql_slave_status_gtid_slave_pos', {
          ...conn(name),
          domain_id: '0',
          server_id: '308',
        }),
        9,
      );
    }
    assert.equal(findFamily(families, 'mysql_slave_status_gtid_slave_pos')?.type, 'gauge');
    // Gtid_IO_Pos is empty in the capture, SQL_Remaining_Delay is NULL.
    assert.equal(findFamily(families, 'mysql_slave_status_gtid_io_pos'), undefined);
    assert.equal(findFamily(families, 'mysql_slave_status_sql_remaining_delay'), undefined);
  });

  test('single unnamed connection: connection_name is empty', async () => {
    const { families } = await collect(
      loadTsv('mariadb-10.8.4/show-all-slaves-status.single-source.tsv'),
      MARIADB_108(),
    );
    assert.equal(familyValue(families, 'mysql_slave_status_slave_io_running', conn('')), 1);
    assert.equal(findFamily(families, 'mysql_slave_status_slave_io_running')?.samples.length, 1);
  });

  test('GTID lists with several domains; NULL Seconds_Behind_Master is absent', async () => {
    const { families } = await collect(
      result(
        [
          'Connection_name',
          'Master_Host',
          'Slave_IO_Running',
          'Seconds_Behind_Master',
          'Gtid_IO_Pos',
          'Gtid_Slave_Pos',
        ],
        [['', 'p1', 'No', null, '0-1-100, 1-2-7', '0-1-99,bogus']],
      ),
      MARIADB_1011(),
    );
    const labels = { master_host: 'p1', master_uuid: '', channel_name: '', connection_name: '' };
    assert.equal(familyValue(families, 'mysql_slave_status_slave_io_running', labels), 0);
    assert.equal(findFamily(families, 'mysql_slave_status_seconds_behind_master'), undefined);
    assert.deepEqual(findFamily(families, 'mysql_slave_status_gtid_io_pos')?.samples, [
      { labels: { ...labels, domain_id: '0', server_id: '1' }, value: 100 },
      { labels: { ...labels, domain_id: '1', server_id: '2' }, value: 7 },
    ]);
    assert.deepEqual(findFamily(families, 'mysql_slave_status_gtid_slave_pos')?.samples, [
      { labels: { ...labels, domain_id: '0', server_id: '1' }, value: 99 },
    ]);
  });

  test('parseGtidList', () => {
    assert.deepEqual(parseGtidList(''), []);
    assert.deepEqual(parseGtidList('0-308-9'), [{ domainId: '0', serverId: '308', seqNo: 9 }]);
    assert.deepEqual(parseGtidList('0-1-2,\n3-4-5'), [
      { domainId: '0', serverId: '1', seqNo: 2 },
      { domainId: '3', serverId: '4', seqNo: 5 },
    ]);
  });
});

test('slave_status is a default collector; gated below MySQL 5.1 (no query sent)', async () => {
  assert.equal(slaveStatusCollector.name, 'slave_status');
  assert.equal(slaveStatusCollector.enabledByDefault, true);
  const collector = slaveStatusCollector.create(new Map());
  const old = server('5.0.96', 'MySQL Community Server (GPL)');
  assert.equal(collector.supports(old), false);
  const db = new FakeDb([]);
  const res = await scrapeOnce(collector, old, db);
  assert.deepEqual(res.outcomes, []);
  assert.deepEqual(db.sent, []);
});
