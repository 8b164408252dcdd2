import assert from 'node:assert/strict';
import { test } from 'node:test';
import { missingPrivileges } from '../../../src/db/grants.js';
import { parseServerInfo } from '../../../src/model/server-info.js';

const MARIADB_1011 = parseServerInfo('10.11.6-MariaDB-0+deb12u1', 'Debian 12')!;
const MARIADB_1004 = parseServerInfo('10.4.32-MariaDB', 'MariaDB Server')!;
const MYSQL_84 = parseServerInfo('8.4.3', 'MySQL Community Server - GPL')!;
const DEFAULTS = new Set(['global_status', 'slave_status']);
const ALL = new Set(['global_status', 'slave_status', 'binlog_size', 'slave_hosts']);

const names = (lines: string[], server = MARIADB_1011, collectors = DEFAULTS) =>
  missingPrivileges(lines, server, collectors).map((n) => n.privilege);

test('MariaDB >= 10.5.9: the README grants lack nothing; without SLAVE MONITOR, slave_status warns', () => {
  const readme = 'GRANT SELECT, PROCESS, BINLOG MONITOR, SLAVE MONITOR ON *.* TO `exporter`@`localhost`';
  assert.deepEqual(names([readme]), []);
  // SHOW GRANTS prints REPLICATION CLIENT as BINLOG MONITOR on 10.5.2+.
  const noSlaveMonitor = 'GRANT SELECT, PROCESS, BINLOG MONITOR ON *.* TO `exporter`@`localhost`';
  assert.deepEqual(names([noSlaveMonitor]), ['SLAVE MONITOR']);
  assert.deepEqual(names([readme], MARIADB_1011, ALL), ['REPLICATION MASTER ADMIN']);
  assert.deepEqual(
    names([readme.replace('SLAVE MONITOR', 'SLAVE MONITOR, REPLICATION MASTER ADMIN')], MARIADB_1011, ALL),
    [],
  );
  assert.deepEqual(names(['GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION']), []);
});

test('MySQL and older MariaDB: REPLICATION CLIENT; slave_hosts needs REPLICATION SLAVE', () => {
  const grants = [
    "GRANT PROCESS, REPLICATION CLIENT, SELECT ON *.* TO `exporter`@`%` IDENTIFIED BY PASSWORD '*X'",
  ];
  assert.deepEqual(names(grants, MARIADB_1004), []);
  assert.deepEqual(names(grants, MYSQL_84), []);
  assert.deepEqual(names(grants, MYSQL_84, ALL), ['REPLICATION SLAVE']);
});

test('missing PROCESS is reported for any collector set; grants on one schema do not count', () => {
  assert.deepEqual(
    names(['GRANT USAGE ON *.* TO `exporter`@`%`', 'GRANT PROCESS ON `app`.* TO `exporter`@`%`'], MYSQL_84),
    ['PROCESS', 'REPLICATION CLIENT'],
  );
  assert.deepEqual(names(['GRANT SELECT, REPLICATION CLIENT ON *.* TO `exporter`@`%`'], MYSQL_84), [
    'PROCESS',
  ]);
  assert.deepEqual(names(['GRANT SELECT ON *.* TO `exporter`@`%`'], MYSQL_84, new Set(['global_status'])), [
    'PROCESS',
  ]);
});
