/**
 * The fleet benchmark's canned database (bench/lib/canned-db.ts): recorded from a real MariaDB
 * through a relay while our exporter scrapes it, then replayed; our exporter scraping the canned
 * server gets the same families, and the same database values, as the live scrape that was
 * recorded. An unrecorded statement gets error 1064 and the connection stays usable; KILL QUERY,
 * SELECT 1 and COM_PING get sensible answers.
 */
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import { CannedDb, type Recording, record } from '../../bench/lib/canned-db.js';
import { cleanup, cnfFor, startExporter, writeMyCnf } from '../helpers/exporter.js';
import { type MariaDb, createExporterUser, startMariaDb } from '../helpers/mariadb.js';

/** series (name and labels) -> value, for the families that come from the database. */
function databaseSamples(body: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    const series = line.slice(0, cut);
    // The exporter's own measurements (durations, process, runtime) are not the database's.
    if (!series.startsWith('mysql_') || series.startsWith('mysql_exporter_')) continue;
    out.set(series, line.slice(cut + 1));
  }
  return out;
}

function families(body: string): string[] {
  return body
    .split('\n')
    .filter((l) => l.startsWith('# TYPE '))
    .map((l) => l.split(' ')[2]!)
    .sort();
}

async function scrapeWith(port: number, user: string, password: string): Promise<string> {
  const cnf = writeMyCnf(cnfFor(port, user, password));
  const exp = await startExporter(cnf);
  try {
    const r = await exp.get('/metrics');
    assert.equal(r.status, 200);
    return r.body;
  } finally {
    await exp.stop();
    cleanup(dirname(cnf));
  }
}

describe('canned database (bench fleet mode)', () => {
  let db: MariaDb;
  let recording: Recording;
  let live: string;
  let statements: string[];
  let canned: CannedDb;

  before(async () => {
    db = await startMariaDb();
    await createExporterUser(db, 'exporter', 'pw', 20);
    const r = await record({ host: '127.0.0.1', port: db.port }, (port) =>
      scrapeWith(port, 'exporter', 'pw'),
    );
    recording = r.recording;
    live = r.result;
    statements = r.statements;
    // The live server is gone before the replay: every answer must come from the recording.
    await db.destroy();
    canned = await CannedDb.start(recording, { ports: 2 });
  });
  after(async () => {
    await canned?.close();
    await db?.destroy();
  });

  test('the recording holds the greeting, the auth OK and the scrape statements', () => {
    assert.equal(recording.greeting[4], 10, 'protocol 10 greeting');
    assert.equal(recording.authOk[4], 0x00, 'OK packet');
    assert.ok(
      statements.some((s) => s.includes('SHOW GLOBAL STATUS')),
      `a statement reading global status among:\n${statements.join('\n')}`,
    );
    assert.ok(databaseSamples(live).size > 50, 'the live scrape has database samples');
    assert.match(live, /^mysql_up 1$/m);
  });

  test('our exporter scraping a canned port gets the live scrape families and values', async () => {
    const before = canned.stats();
    // Any password: the canned server accepts every client.
    const body = await scrapeWith(canned.ports[1]!, 'exporter', 'another password');
    assert.match(body, /^mysql_up 1$/m);
    assert.doesNotMatch(body, /_collector_success\{[^}]*\} 0$/m);
    assert.deepEqual(families(body), families(live));
    assert.deepEqual(databaseSamples(body), databaseSamples(live));
    const after = canned.stats();
    assert.equal(after.unknown - before.unknown, 0, `unknown statements: ${after.unknownTexts.join(' | ')}`);
    assert.ok(after.queries > before.queries);
  });

  test('an unrecorded statement gets error 1064 and the connection stays usable', async () => {
    const c = await mysql.createConnection({
      host: '127.0.0.1',
      port: canned.ports[0]!,
      user: 'anyone',
      password: 'whatever',
    });
    try {
      await assert.rejects(
        c.query('SELECT no_such_thing FROM nowhere'),
        (err: { errno?: number; sqlState?: string }) => {
          assert.equal(err.errno, 1064);
          assert.equal(err.sqlState, '42000');
          return true;
        },
      );
      const [rows] = await c.query('SELECT 1');
      assert.deepEqual(rows, [{ 1: '1' }]);
      await c.query('KILL QUERY 12345');
      await c.ping();
      // A recorded statement on the same connection after all that.
      const recorded = statements.find((s) => s.startsWith('SET SESSION'));
      assert.ok(recorded, 'a recorded session statement');
      await c.query(recorded);
    } finally {
      await c.end();
    }
    assert.ok(canned.stats().unknownTexts.includes('SELECT no_such_thing FROM nowhere'));
  });
});
