import assert from 'node:assert/strict';
import { test } from 'node:test';
import { missingPrivileges } from '../../../src/db/grants.js';

const names = (lines: string[]) => missingPrivileges(lines).map((n) => n.privilege);

test('the recommended grants lack nothing; MariaDB monitor privileges count as REPLICATION CLIENT', () => {
  assert.deepEqual(
    names(["GRANT PROCESS, REPLICATION CLIENT, SELECT ON *.* TO `exporter`@`%` IDENTIFIED BY PASSWORD '*X'"]),
    [],
  );
  assert.deepEqual(
    names(['GRANT SELECT, PROCESS, BINLOG MONITOR, SLAVE MONITOR ON *.* TO `exporter`@`localhost`']),
    [],
  );
  assert.deepEqual(names(['GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION']), []);
});

test('missing PROCESS or replication monitoring is reported; grants on one schema do not count', () => {
  assert.deepEqual(
    names(['GRANT USAGE ON *.* TO `exporter`@`%`', 'GRANT PROCESS ON `app`.* TO `exporter`@`%`']),
    ['PROCESS', 'REPLICATION CLIENT'],
  );
  assert.deepEqual(names(['GRANT SELECT, REPLICATION CLIENT ON *.* TO `exporter`@`%`']), ['PROCESS']);
});
