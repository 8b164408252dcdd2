import assert from 'node:assert/strict';
import { test } from 'node:test';
import { heartbeat, quoteIdentifier } from '../../../src/collectors/heartbeat.js';
import { CollectorError } from '../../../src/errors.js';
import { FakeDb, MARIADB_1011, MYSQL_57, MYSQL_84, context, result } from '../../helpers/fixtures.js';
import { buildCollector, scrapeOutcome, validSeriesCount } from '../../helpers/collector-under-test.js';
import { requireFamily, seriesValue } from '../../helpers/samples.js';

const COLUMNS = ['stored_ts', 'now_ts', 'server_id'];

test('default table heartbeat.heartbeat, local time, one series pair per server_id', async () => {
  const db = new FakeDb([
    [
      /FROM `heartbeat`\.`heartbeat`$/,
      result(COLUMNS, [
        ['1700000000.123456', '1700000001.500000', '1'],
        ['1699999990.000000', '1700000001.500000', '2'],
      ]),
    ],
  ]);
  const outcome = await scrapeOutcome(buildCollector(heartbeat), MARIADB_1011(), db);
  assert.equal(outcome?.success, true, outcome?.error);
  assert.match(db.sent[0]!.sql, /UNIX_TIMESTAMP\(NOW\(6\)\)/);
  assert.deepEqual(db.sent[0]!.params, []);
  const fams = outcome!.families;
  const stored = requireFamily(fams, 'mysql_heartbeat_stored_timestamp_seconds');
  const now = requireFamily(fams, 'mysql_heartbeat_now_timestamp_seconds');
  assert.equal(stored.type, 'gauge');
  assert.equal(seriesValue(stored, { server_id: '1' }), 1700000000.123456);
  assert.equal(seriesValue(stored, { server_id: '2' }), 1699999990);
  assert.equal(seriesValue(now, { server_id: '1' }), 1700000001.5);
  validSeriesCount(fams);
});

test('flags: database, table and utc; hostile names are quoted, never bound or concatenated raw', async () => {
  const db = new FakeDb([[/FROM/, result(COLUMNS, [])]]);
  const c = buildCollector(heartbeat, [
    '--collect.heartbeat.database=hb`; DROP TABLE x; --',
    '--collect.heartbeat.table=it\'s "a"?\ntäble`',
    '--collect.heartbeat.utc',
  ]);
  await c.collect(context(db, MYSQL_57()));
  assert.equal(
    db.sent[0]!.sql,
    'SELECT UNIX_TIMESTAMP(ts) AS stored_ts, UNIX_TIMESTAMP(UTC_TIMESTAMP(6)) AS now_ts, server_id FROM ' +
      '`hb``; DROP TABLE x; --`.`it\'s "a"?\ntäble```',
  );
  assert.deepEqual(db.sent[0]!.params, []);
});

test('quoteIdentifier doubles backticks and refuses empty names and NUL', () => {
  assert.equal(quoteIdentifier('a`b'), '`a``b`');
  assert.equal(quoteIdentifier('``'), '``````');
  assert.throws(() => quoteIdentifier(''), CollectorError);
  assert.throws(() => quoteIdentifier('a\u0000b'), CollectorError);
});

test('an empty database flag fails the collector with a clear reason and sends nothing', async () => {
  const db = new FakeDb([]);
  const outcome = await scrapeOutcome(
    buildCollector(heartbeat, ['--collect.heartbeat.database=']),
    MYSQL_84(),
    db,
  );
  assert.equal(outcome?.success, false);
  assert.match(outcome?.error ?? '', /collect\.heartbeat\.database/);
  assert.equal(db.sent.length, 0);
});

test('a NULL stored timestamp drops only that sample; an empty table is a success', async () => {
  const db = new FakeDb([[/FROM/, result(COLUMNS, [[null, '1700000001.000000', '3']])]]);
  const fams = await buildCollector(heartbeat).collect(context(db, MYSQL_57()));
  assert.deepEqual(
    fams.map((f) => f.name),
    ['mysql_heartbeat_now_timestamp_seconds'],
  );
  assert.equal(seriesValue(fams[0]!, { server_id: '3' }), 1700000001);
  const empty = new FakeDb([[/FROM/, result(COLUMNS, [])]]);
  assert.deepEqual(await buildCollector(heartbeat).collect(context(empty, MYSQL_57())), []);
});
