import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BINARY_LOGS_SQL, binlogSize, fileNumber, LOG_BIN_SQL } from '../../../src/collectors/binlog-size.js';
import {
  FakeDb,
  loadTsv,
  MARIADB_1011,
  MYSQL_57,
  PERCONA_80,
  result,
  server,
} from '../../helpers/fixtures.js';
import {
  buildCollector,
  expectFailure,
  expectSuccess,
  familyNames,
  scrapeOutcome,
} from '../../helpers/collector-under-test.js';
import { requireFamily } from '../../helpers/samples.js';

const single = (fams: Awaited<ReturnType<typeof expectSuccess>>, name: string) =>
  requireFamily(fams, name).samples[0]!.value;

test('fileNumber takes the suffix after the last dot', () => {
  assert.equal(fileNumber('mysql-bin.000002'), 2);
  assert.equal(fileNumber('db1.example.com-bin.004711'), 4711);
  assert.equal(fileNumber('nodot'), undefined);
  assert.equal(fileNumber('x.index'), undefined);
});

test('Percona Server 8.0.32 SHOW BINARY LOGS (3 columns with Encrypted)', async () => {
  const db = new FakeDb([
    [/@@log_bin/, result(['log_bin'], [['1']])],
    [/SHOW BINARY LOGS/, loadTsv('percona-server-8.0.32/show-binary-logs.tsv')],
  ]);
  const fams = await expectSuccess(buildCollector(binlogSize), PERCONA_80(), db);
  assert.deepEqual(
    db.sent.map((s) => s.sql),
    [LOG_BIN_SQL, BINARY_LOGS_SQL],
  );
  assert.deepEqual(familyNames(fams), [
    'mysql_binlog_file_number',
    'mysql_binlog_files',
    'mysql_binlog_size_bytes',
  ]);
  assert.equal(single(fams, 'mysql_binlog_size_bytes'), 180 + 3445236);
  assert.equal(single(fams, 'mysql_binlog_files'), 2);
  assert.equal(single(fams, 'mysql_binlog_file_number'), 2);
  for (const f of fams) assert.equal(f.type, 'gauge');
});

test('MariaDB 10.11 shape (2 columns, as the local server returns it)', async () => {
  const db = new FakeDb([
    [/@@log_bin/, result(['log_bin'], [[1]])],
    [
      /SHOW BINARY LOGS/,
      result(
        ['Log_name', 'File_size'],
        [
          ['mysql-bin.000001', '678'],
          ['mysql-bin.000002', '1024'],
          ['mysql-bin.000017', '365'],
        ],
      ),
    ],
  ]);
  const fams = await expectSuccess(buildCollector(binlogSize), MARIADB_1011(), db);
  assert.equal(single(fams, 'mysql_binlog_size_bytes'), 2067);
  assert.equal(single(fams, 'mysql_binlog_files'), 3);
  assert.equal(single(fams, 'mysql_binlog_file_number'), 17);
});

test('log_bin off: nothing emitted and SHOW BINARY LOGS never sent', async () => {
  for (const off of ['0', 0, null]) {
    const db = new FakeDb([[/@@log_bin/, result(['log_bin'], [[off]])]]);
    assert.deepEqual(await expectSuccess(buildCollector(binlogSize), MYSQL_57(), db), []);
    assert.deepEqual(
      db.sent.map((s) => s.sql),
      [LOG_BIN_SQL],
    );
  }
});

test('no files: size and count 0, no file number; NULL sizes count as 0', async () => {
  const empty = new FakeDb([
    [/@@log_bin/, result(['log_bin'], [['1']])],
    [/SHOW BINARY LOGS/, result(['Log_name', 'File_size'], [])],
  ]);
  const fams = await expectSuccess(buildCollector(binlogSize), MYSQL_57(), empty);
  assert.deepEqual(familyNames(fams), ['mysql_binlog_files', 'mysql_binlog_size_bytes']);
  assert.equal(single(fams, 'mysql_binlog_files'), 0);
  const nulls = new FakeDb([
    [/@@log_bin/, result(['log_bin'], [['1']])],
    [/SHOW BINARY LOGS/, result(['Log_name', 'File_size'], [['b.000003', null]])],
  ]);
  const f2 = await expectSuccess(buildCollector(binlogSize), MYSQL_57(), nulls);
  assert.equal(single(f2, 'mysql_binlog_size_bytes'), 0);
  assert.equal(single(f2, 'mysql_binlog_file_number'), 3);
});

test('an unexpected column count fails with a clear reason; a privilege error is one failing statement', async () => {
  const db = new FakeDb([
    [/@@log_bin/, result(['log_bin'], [['1']])],
    [/SHOW BINARY LOGS/, result(['Log_name', 'File_size', 'Encrypted', 'Extra'], [])],
  ]);
  assert.match(
    await expectFailure(buildCollector(binlogSize), MYSQL_57(), db),
    /returned 4 columns, expected 2 or 3/,
  );
  const denied = new FakeDb([
    [/@@log_bin/, result(['log_bin'], [['1']])],
    [
      /SHOW BINARY LOGS/,
      new Error('Access denied; you need (at least one of) the SUPER, BINLOG MONITOR privilege(s)'),
    ],
  ]);
  assert.match(await expectFailure(buildCollector(binlogSize), MARIADB_1011(), denied), /BINLOG MONITOR/);
  assert.equal(denied.sent.length, 2);
});

test('a server version older than 5.1 runs no query', async () => {
  const db = new FakeDb([]);
  assert.equal(await scrapeOutcome(buildCollector(binlogSize), server('5.0.96'), db), undefined);
  assert.equal(db.sent.length, 0);
});
