/**
 * Compatibility with the reference: the Debian prometheus-mysqld-exporter (0.14) and ours scrape the
 * same MariaDB; every metric family it emits, ours emits with the same type and label names, except
 * the intended differences listed (in backticks) under "Families" in docs/compatibility.md.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { diffFamilyShapes } from '../helpers/exposition-shapes.js';
import { cnfFor, startExporter, writeMyCnf } from '../helpers/exporter.js';
import { type MariaDb, createExporterUser, startMariaDb } from '../helpers/mariadb.js';
import { ReferenceExporter } from '../helpers/reference-exporter.js';

/** Families named in the "Families" section of docs/compatibility.md. */
function documentedDifferences(): Set<string> {
  const doc = readFileSync(new URL('../../docs/compatibility.md', import.meta.url), 'utf8');
  const section = doc.split(/^## /m).find((s) => s.startsWith('Families'));
  assert.ok(section, 'docs/compatibility.md has a "## Families" section');
  return new Set([...section.matchAll(/`([a-zA-Z_:][a-zA-Z0-9_:]*)`/g)].map((m) => m[1]!));
}

// Go runtime and process metrics differ by nature (Go vs Node.js); they are not MySQL metrics.
const runtime = (name: string) => /^(go_|process_|promhttp_)/.test(name);

async function compare(db: MariaDb, ourArgs: string[], theirArgs: string[]) {
  const cnf = writeMyCnf(cnfFor(db.port, 'exporter', 'exporter-pw'));
  const ref = await ReferenceExporter.start(cnf, theirArgs);
  const ours = await startExporter(cnf, ourArgs);
  try {
    // Two rounds, so rate-like and lazily created series exist on both sides.
    await ref.scrape();
    await ours.get('/metrics');
    const theirText = await ref.scrape();
    const ourText = (await ours.get('/metrics')).body;
    return { diff: diffFamilyShapes(theirText, ourText, runtime), theirText, ourText };
  } finally {
    ref.stop();
    await ours.stop();
  }
}

describe('compatibility with prometheus-mysqld-exporter 0.14', () => {
  let db: MariaDb;
  before(async () => {
    assert.ok(
      ReferenceExporter.available(),
      'prometheus-mysqld-exporter must be installed (bash .ci/run does it)',
    );
    db = await startMariaDb({
      args: [
        '--userstat=ON',
        '--log-bin=compat-bin',
        '--server-id=1',
        '--plugin-load-add=query_response_time',
        '--query-response-time-stats=ON',
      ],
    });
    await createExporterUser(db, 'exporter', 'exporter-pw');
    await db.sql(
      'CREATE DATABASE heartbeat',
      'CREATE TABLE heartbeat.heartbeat (ts varchar(26) NOT NULL, server_id int unsigned NOT NULL PRIMARY KEY)',
      "INSERT INTO heartbeat.heartbeat VALUES (DATE_FORMAT(NOW(6), '%Y-%m-%dT%H:%i:%s.%f'), 1)",
      'CREATE DATABASE app',
      'CREATE TABLE app.t (id INT AUTO_INCREMENT PRIMARY KEY, v INT, KEY v (v)) ENGINE=InnoDB',
      'INSERT INTO app.t (v) VALUES (1),(2),(3)',
      'SELECT * FROM app.t WHERE v = 2',
      'UPDATE app.t SET v = 4 WHERE id = 1',
    );
  });
  after(async () => {
    await db?.destroy();
  });

  test('default collectors: every reference family exists with the same type and labels', async () => {
    const { diff, ourText } = await compare(db, [], []);
    const allowed = documentedDifferences();
    assert.deepEqual(
      diff.missing.filter((n) => !allowed.has(n)),
      [],
      'families missing from ours and not documented',
    );
    assert.deepEqual(diff.typeMismatch, []);
    assert.deepEqual(diff.labelMismatch, []);
    assert.match(ourText, /^mysql_up 1$/m);
  });

  test('all collectors on: every reference family exists with the same type and labels', async () => {
    const theirFlags = ReferenceExporter.collectorFlags().map((f) => `--${f}`);
    assert.ok(
      theirFlags.length >= 30,
      `expected the reference to list its collectors, got ${theirFlags.length}`,
    );
    // One more client session, as on any live server: the processlist families need a row
    // (the exporter excludes its own session, and with its default collectors it holds only one).
    const other = await db.connect();
    const { diff } = await compare(db, ['--collect.all'], theirFlags).finally(() => other.end());
    const allowed = documentedDifferences();
    assert.deepEqual(
      diff.missing.filter((n) => !allowed.has(n)),
      [],
      'families missing from ours and not documented',
    );
    assert.deepEqual(
      diff.typeMismatch.filter((d) => !allowed.has(d.split(':')[0]!)),
      [],
    );
    assert.deepEqual(
      diff.labelMismatch.filter((d) => !allowed.has(d.split(':')[0]!)),
      [],
    );
  });
});
