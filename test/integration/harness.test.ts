import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type MariaDb, startMariaDb } from '../helpers/mariadb.js';

let db: MariaDb;
before(async () => {
  db = await startMariaDb();
});
after(async () => {
  await db?.destroy();
});

test('the harness starts a real MariaDB on a loopback port', async () => {
  const rows = await db.sql('SELECT @@version AS v, @@port AS p');
  assert.match(String(rows[0]?.v), /MariaDB/);
  assert.equal(Number(rows[0]?.p), db.port);
});
