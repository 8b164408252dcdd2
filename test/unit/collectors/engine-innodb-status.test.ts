import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { engineInnodbStatus, parseInnodbStatus } from '../../../src/collectors/engine-innodb-status.js';
import {
  FIXTURES,
  FakeDb,
  MARIADB_1011,
  MYSQL_80,
  context,
  loadText,
  result,
  server,
} from '../../helpers/fixtures.js';
import { buildCollector, scrapeOutcome, validSeriesCount } from '../../helpers/collector-under-test.js';
import { requireFamily } from '../../helpers/samples.js';

const INSIDE = 'mysql_engine_innodb_queries_inside_innodb';
const QUEUE = 'mysql_engine_innodb_queries_in_queue';
const VIEWS = 'mysql_engine_innodb_read_views_open_inside_innodb';

// Expected values read off each captured file by eye (see the ROW OPERATIONS section of each).
// MariaDB 10.5+ prints no "queries inside InnoDB" line.
const EXPECTED: Record<string, Record<string, number>> = {
  'mysql-8.0': { [INSIDE]: 0, [QUEUE]: 0, [VIEWS]: 0 },
  'mysql-8.0.30': { [INSIDE]: 0, [QUEUE]: 0, [VIEWS]: 0 },
  'percona-server-8.0.29': { [INSIDE]: 0, [QUEUE]: 0, [VIEWS]: 0 },
  'percona-server-8.0.32': { [INSIDE]: 0, [QUEUE]: 0, [VIEWS]: 0 },
  'mariadb-10.5': { [VIEWS]: 3 },
  'mariadb-10.6': { [VIEWS]: 3 },
  'mariadb-10.8.4': { [VIEWS]: 0 },
  'mariadb-10.8.4-galera': { [VIEWS]: 0 },
  'mariadb-11.1': { [VIEWS]: 4 },
};

const captured = readdirSync(FIXTURES)
  .filter((d) => existsSync(join(FIXTURES, d, 'show-engine-innodb-status.txt')))
  .sort();

test('every captured SHOW ENGINE INNODB STATUS has an expectation', () => {
  assert.deepEqual(captured, Object.keys(EXPECTED).sort());
});

for (const dir of captured) {
  test(`parses ${dir}/show-engine-innodb-status.txt`, async () => {
    const text = loadText(`${dir}/show-engine-innodb-status.txt`);
    const info = dir.startsWith('mariadb') ? MARIADB_1011() : MYSQL_80();
    const db = new FakeDb([
      [/^SHOW ENGINE INNODB STATUS$/, result(['Type', 'Name', 'Status'], [['InnoDB', '', text]])],
    ]);
    const outcome = await scrapeOutcome(buildCollector(engineInnodbStatus), info, db);
    assert.equal(outcome?.success, true, outcome?.error);
    const got = Object.fromEntries(outcome!.families.map((f) => [f.name, f.samples[0]!.value]));
    assert.deepEqual(got, EXPECTED[dir]);
    for (const f of outcome!.families) {
      assert.equal(f.type, 'gauge');
      assert.deepEqual(f.samples[0]!.labels, {});
    }
    validSeriesCount(outcome!.families);
  });
}

test('non-zero values (text built in the MySQL 8.0 format of the captures)', () => {
  const text = [
    '--------------',
    'ROW OPERATIONS',
    '--------------',
    '12 queries inside InnoDB, 34 queries in queue',
    '5 read views open inside InnoDB',
    'Process ID=1, Main thread ID=2 , state=sleeping',
  ].join('\n');
  const fams = parseInnodbStatus(text);
  assert.equal(requireFamily(fams, INSIDE).samples[0]!.value, 12);
  assert.equal(requireFamily(fams, QUEUE).samples[0]!.value, 34);
  assert.equal(requireFamily(fams, VIEWS).samples[0]!.value, 5);
});

test('no row or no matching lines: success with no families', async () => {
  const none = new FakeDb([[/INNODB STATUS/, result(['Type', 'Name', 'Status'], [])]]);
  assert.deepEqual(await buildCollector(engineInnodbStatus).collect(context(none, MYSQL_80())), []);
  const noise = new FakeDb([[/INNODB STATUS/, result(['Type', 'Name', 'Status'], [['InnoDB', '', null]])]]);
  assert.deepEqual(await buildCollector(engineInnodbStatus).collect(context(noise, MYSQL_80())), []);
});

test('runs on every MySQL and MariaDB version (no version gate to miss)', () => {
  const c = buildCollector(engineInnodbStatus);
  for (const v of ['5.1.73', '5.7.44', '8.4.3', '9.7.1']) assert.ok(c.supports(server(v, 'MySQL')));
  for (const v of ['10.5.27-MariaDB', '11.4.5-MariaDB']) assert.ok(c.supports(server(v)));
});
