/**
 * No captured mysql.user rows exist in test/fixtures, so the column lists below are the documented
 * ones: MySQL 5.7 and 8.0 from the MySQL reference manual's mysql.user layout; MariaDB 10.11 exactly
 * as `SELECT * FROM mysql.user LIMIT 0` returned them on the local MariaDB 10.11 server (a view over
 * mysql.global_priv). Rows are built by hand from those lists.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  detectUserColumns,
  mysqlUser,
  PRIVILEGE_COLUMNS,
  USER_COLUMNS_SQL,
  userSql,
} from '../../../src/collectors/mysql-user.js';
import { FakeDb, MARIADB_1011, MYSQL_57, MYSQL_80, result, server } from '../../helpers/fixtures.js';
import {
  buildCollector,
  expectFailure,
  expectSuccess,
  scrapeOutcome,
} from '../../helpers/collector-under-test.js';
import { requireFamily, seriesValue } from '../../helpers/samples.js';

const PRIVS_57 = [...PRIVILEGE_COLUMNS];
const MYSQL_57_COLUMNS = [
  'Host',
  'User',
  ...PRIVS_57,
  'ssl_type',
  'ssl_cipher',
  'x509_issuer',
  'x509_subject',
  'max_questions',
  'max_updates',
  'max_connections',
  'max_user_connections',
  'plugin',
  'authentication_string',
  'password_expired',
  'password_last_changed',
  'password_lifetime',
  'account_locked',
];
const MYSQL_80_COLUMNS = [
  ...MYSQL_57_COLUMNS.slice(0, 2 + PRIVS_57.length),
  'Create_role_priv',
  'Drop_role_priv',
  ...MYSQL_57_COLUMNS.slice(2 + PRIVS_57.length),
  'Password_reuse_history',
  'Password_reuse_time',
  'Password_require_current',
  'User_attributes',
];
const MARIADB_1011_COLUMNS =
  'Host,User,Password,Select_priv,Insert_priv,Update_priv,Delete_priv,Create_priv,Drop_priv,Reload_priv,Shutdown_priv,Process_priv,File_priv,Grant_priv,References_priv,Index_priv,Alter_priv,Show_db_priv,Super_priv,Create_tmp_table_priv,Lock_tables_priv,Execute_priv,Repl_slave_priv,Repl_client_priv,Create_view_priv,Show_view_priv,Create_routine_priv,Alter_routine_priv,Create_user_priv,Event_priv,Trigger_priv,Create_tablespace_priv,Delete_history_priv,ssl_type,ssl_cipher,x509_issuer,x509_subject,max_questions,max_updates,max_connections,max_user_connections,plugin,authentication_string,password_expired,is_role,default_role,max_statement_time'.split(
    ',',
  );
/** MySQL 5.1 had no Create_tablespace_priv (added in 5.5). */
const MYSQL_51_COLUMNS = MYSQL_57_COLUMNS.filter((c) => c !== 'Create_tablespace_priv');

const LIMITS = ['max_questions', 'max_updates', 'max_connections', 'max_user_connections'];

function userRows(privs: readonly string[], rows: ReadonlyArray<readonly [string, string, string, number]>) {
  return result(
    ['user', 'host', ...privs, ...LIMITS],
    rows.map(([user, host, yn, maxConn]) => [user, host, ...privs.map(() => yn), 0, '10', maxConn, 3]),
  );
}

function fakeDb(serverColumns: readonly string[], privs: readonly string[]) {
  return new FakeDb([
    [/LIMIT 0$/, result(serverColumns, [])],
    [
      /FROM mysql\.user LIMIT \?$/,
      userRows(privs, [
        ['root', 'localhost', 'Y', 0],
        ['exporter', '127.0.0.1', 'N', 5],
      ]),
    ],
  ]);
}

test('detection selects only allowlisted columns that exist, per flavor', () => {
  assert.deepEqual(detectUserColumns(MYSQL_57_COLUMNS).privileges, PRIVS_57);
  const my80 = detectUserColumns(MYSQL_80_COLUMNS);
  assert.equal(my80.privileges.length, 29);
  assert.ok(!userSql(my80, true).includes('Create_role_priv'));
  const maria = detectUserColumns(MARIADB_1011_COLUMNS);
  assert.equal(maria.privileges.length, 29);
  assert.deepEqual(maria.limits, LIMITS);
  assert.ok(!userSql(maria, true).includes('Delete_history_priv'));
  assert.ok(!userSql(maria, true).includes('authentication_string'));
  const old = detectUserColumns(MYSQL_51_COLUMNS);
  assert.ok(!old.privileges.includes('Create_tablespace_priv'));
  assert.equal(
    userSql({ privileges: ['Select_priv'], limits: ['max_updates'] }, true),
    'SELECT `User` AS `user`, `Host` AS `host`, `Select_priv` AS `Select_priv`, `max_updates` AS `max_updates` FROM mysql.user LIMIT ?',
  );
  assert.throws(() => detectUserColumns(['Select_priv']), /no User\/Host/);
});

test('MySQL 5.7: max_* gauges per account; privileges off by default', async () => {
  const db = fakeDb(MYSQL_57_COLUMNS, []);
  const fams = await expectSuccess(buildCollector(mysqlUser), MYSQL_57(), db);
  assert.equal(db.sent[0]!.sql, USER_COLUMNS_SQL);
  assert.ok(!db.sent[1]!.sql.includes('_priv'));
  assert.deepEqual(db.sent[1]!.params, [2501]); // 10000 series / 4 per account, plus one
  assert.deepEqual(
    fams.map((f) => f.name),
    LIMITS.map((l) => `mysql_mysql_${l}`),
  );
  const maxConn = requireFamily(fams, 'mysql_mysql_max_connections');
  assert.equal(maxConn.type, 'gauge');
  assert.equal(seriesValue(maxConn, { mysql_user: 'exporter', hostmask: '127.0.0.1' }), 5);
  assert.equal(
    seriesValue(requireFamily(fams, 'mysql_mysql_max_updates'), {
      mysql_user: 'root',
      hostmask: 'localhost',
    }),
    10,
  );
});

test('MariaDB 10.11 with --collect.mysql.user.privileges: Y=1, N=0 for the 29 mysqld_exporter columns', async () => {
  const db = fakeDb(MARIADB_1011_COLUMNS, PRIVS_57);
  const fams = await expectSuccess(
    buildCollector(mysqlUser, ['--collect.mysql.user.privileges']),
    MARIADB_1011(),
    db,
  );
  assert.equal(fams.length, 4 + 29);
  assert.deepEqual(db.sent[1]!.params, [Math.floor(10000 / 33) + 1]);
  const select = requireFamily(fams, 'mysql_mysql_select_priv');
  assert.equal(seriesValue(select, { mysql_user: 'root', hostmask: 'localhost' }), 1);
  assert.equal(seriesValue(select, { mysql_user: 'exporter', hostmask: '127.0.0.1' }), 0);
  assert.ok(fams.some((f) => f.name === 'mysql_mysql_create_tablespace_priv'));
  assert.ok(!fams.some((f) => f.name === 'mysql_mysql_delete_history_priv'));
});

test('column detection runs once per target and server version', async () => {
  const db = fakeDb(MYSQL_80_COLUMNS, []);
  const c = buildCollector(mysqlUser);
  await expectSuccess(c, MYSQL_80(), db);
  await expectSuccess(c, MYSQL_80(), db);
  assert.equal(db.sent.filter((s) => s.sql === USER_COLUMNS_SQL).length, 1);
  await expectSuccess(c, MYSQL_80(), db, 'other:3306');
  assert.equal(db.sent.filter((s) => s.sql === USER_COLUMNS_SQL).length, 2);
  await expectSuccess(c, server('8.0.36'), db);
  assert.equal(db.sent.filter((s) => s.sql === USER_COLUMNS_SQL).length, 3);
});

test('NULL limits and odd privilege values are skipped, not zeroed', async () => {
  const db = new FakeDb([
    [/LIMIT 0$/, result(MYSQL_57_COLUMNS, [])],
    [
      /LIMIT \?$/,
      result(['user', 'host', 'Select_priv', ...LIMITS], [['ghost', '%', null, null, null, null, null]]),
    ],
  ]);
  const fams = await expectSuccess(
    buildCollector(mysqlUser, ['--collect.mysql.user.privileges']),
    MYSQL_57(),
    db,
  );
  assert.deepEqual(fams, []);
});

test('no SELECT on mysql.user: one failing statement with the server reason', async () => {
  const db = new FakeDb([
    [/mysql\.user/, new Error("SELECT command denied to user 'e'@'h' for table 'user'")],
  ]);
  const err = await expectFailure(buildCollector(mysqlUser), MYSQL_80(), db);
  assert.match(err, /SELECT command denied/);
  assert.equal(db.sent.length, 1);
});

test('max_series: too many accounts fail the collector', async () => {
  const db = fakeDb(MYSQL_57_COLUMNS, []);
  const err = await expectFailure(
    buildCollector(mysqlUser, ['--collect.mysql.user.max_series=4']),
    MYSQL_57(),
    db,
  );
  assert.deepEqual(db.sent[1]!.params, [2]);
  assert.match(err, /mysql\.user: more than 1 rows would exceed 4 series/);
});

test('a server version older than 5.1 runs no query', async () => {
  const db = new FakeDb([]);
  assert.equal(await scrapeOutcome(buildCollector(mysqlUser), server('5.0.96'), db), undefined);
  assert.equal(db.sent.length, 0);
});
