import assert from 'node:assert/strict';
import { test } from 'node:test';
import { perfSchemaReplicationGroupMembers } from '../../../src/collectors/perf-schema-replication-group-members.js';
import {
  FakeDb,
  MARIADB_1011,
  MARIADB_114,
  MYSQL_57,
  MYSQL_80,
  context,
  loadTsv,
  result,
} from '../../helpers/fixtures.js';
import { buildCollector, scrapeOutcome, validSeriesCount } from '../../helpers/collector-under-test.js';
import { requireFamily, seriesValue } from '../../helpers/samples.js';

/** The table's column names in captured information_schema.columns output, in ordinal order. */
function columns(path: string): string[] {
  return loadTsv(path)
    .rows.filter((r) => r.TABLE_NAME === 'replication_group_members')
    .sort((a, b) => Number(a.ORDINAL_POSITION) - Number(b.ORDINAL_POSITION))
    .map((r) => String(r.COLUMN_NAME));
}
const COLUMNS_57 = columns('mysql-5.7/information_schema.columns.performance_schema-subset.tsv');
const COLUMNS_80 = columns('mysql-8.0/information_schema.columns.performance_schema-subset.tsv');

test('captured column lists: 5 columns on 5.7, MEMBER_ROLE and MEMBER_VERSION on 8.0', () => {
  assert.deepEqual(COLUMNS_57, ['CHANNEL_NAME', 'MEMBER_ID', 'MEMBER_HOST', 'MEMBER_PORT', 'MEMBER_STATE']);
  assert.deepEqual(COLUMNS_80.slice(5), ['MEMBER_ROLE', 'MEMBER_VERSION']);
});

// Rows built from those column lists (no captured group replication rows exist in the fixtures).
test('MySQL 5.7: every column lowercased as a label, value 1', async () => {
  const db = new FakeDb([
    [
      /replication_group_members/,
      result(COLUMNS_57, [
        ['group_replication_applier', '8a94f357-aab4-11df-86ab-c80aa9429562', 'db1', '3306', 'ONLINE'],
        ['group_replication_applier', '9b05f468-aab4-11df-86ab-c80aa9429563', 'db2', '3306', 'RECOVERING'],
      ]),
    ],
  ]);
  const outcome = await scrapeOutcome(buildCollector(perfSchemaReplicationGroupMembers), MYSQL_57(), db);
  assert.equal(outcome?.success, true, outcome?.error);
  const f = requireFamily(outcome!.families, 'mysql_perf_schema_replication_group_member_info');
  assert.equal(f.type, 'gauge');
  assert.equal(
    seriesValue(f, {
      channel_name: 'group_replication_applier',
      member_id: '9b05f468-aab4-11df-86ab-c80aa9429563',
      member_host: 'db2',
      member_port: '3306',
      member_state: 'RECOVERING',
    }),
    1,
  );
  assert.equal(f.samples.length, 2);
  assert.equal(db.sent[0]!.sql, 'SELECT * FROM performance_schema.replication_group_members');
  validSeriesCount(outcome!.families);
});

test('MySQL 8.0: member_role and member_version labels; NULL port becomes an empty label', async () => {
  const db = new FakeDb([
    [
      /replication_group_members/,
      result(COLUMNS_80, [
        ['group_replication_applier', 'uuid-1', 'db1', null, 'ONLINE', 'PRIMARY', '8.0.30'],
      ]),
    ],
  ]);
  const fams = await buildCollector(perfSchemaReplicationGroupMembers).collect(context(db, MYSQL_80()));
  const f = requireFamily(fams, 'mysql_perf_schema_replication_group_member_info');
  assert.deepEqual(f.samples[0]!.labels, {
    channel_name: 'group_replication_applier',
    member_id: 'uuid-1',
    member_host: 'db1',
    member_port: '',
    member_state: 'ONLINE',
    member_role: 'PRIMARY',
    member_version: '8.0.30',
  });
  validSeriesCount(fams);
});

test('no group replication: empty table is a success with no family', async () => {
  const db = new FakeDb([[/replication_group_members/, result(COLUMNS_80, [])]]);
  const outcome = await scrapeOutcome(buildCollector(perfSchemaReplicationGroupMembers), MYSQL_80(), db);
  assert.equal(outcome?.success, true);
  assert.deepEqual(outcome?.families, []);
});

test('MariaDB (no group replication table) runs no query', async () => {
  for (const info of [MARIADB_1011(), MARIADB_114()]) {
    const db = new FakeDb([]);
    assert.equal(await scrapeOutcome(buildCollector(perfSchemaReplicationGroupMembers), info, db), undefined);
    assert.equal(db.sent.length, 0);
  }
});
