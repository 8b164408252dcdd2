import assert from 'node:assert/strict';
import { test } from 'node:test';
import { engineTokudbStatus, sanitizeTokudbName } from '../../../src/collectors/engine-tokudb-status.js';
import { CollectorError, QueryError } from '../../../src/errors.js';
import {
  FakeDb,
  MARIADB_1011,
  MARIADB_114,
  MYSQL_80,
  MYSQL_84,
  PERCONA_80,
  context,
  result,
  server,
} from '../../helpers/fixtures.js';
import { buildCollector, scrapeOutcome, validSeriesCount } from '../../helpers/collector-under-test.js';
import { requireFamily } from '../../helpers/samples.js';

const PERCONA_57 = () => server('5.7.44-48', 'Percona Server (GPL), Release 48, Revision 497f936a373');
const MARIADB_104 = () => server('10.4.34-MariaDB', 'mariadb.org binary distribution');

test('name sanitising: lowercase, drop > , : ( ), space and - to _, + and / to and', () => {
  assert.equal(sanitizeTokudbName('cachetable: miss'), 'cachetable_miss');
  assert.equal(
    sanitizeTokudbName('loader: number of calls to loader->close() that succeeded'),
    'loader_number_of_calls_to_loader_close_that_succeeded',
  );
  assert.equal(
    sanitizeTokudbName('ft: uncompressed / compressed bytes written (leaf)'),
    'ft_uncompressed_and_compressed_bytes_written_leaf',
  );
  assert.equal(sanitizeTokudbName('txn: begin (read-only)'), 'txn_begin_read_only');
  assert.equal(
    sanitizeTokudbName('ft: nonleaf nodes flushed to disk (for checkpoint)+'),
    'ft_nonleaf_nodes_flushed_to_disk_for_checkpointand',
  );
  // Characters outside those rules still give a valid name.
  assert.equal(sanitizeTokudbName("filesystem: 'ENOSPC' 50%"), 'filesystem__enospc__50_');
});

// Rows in the SHOW ENGINE TOKUDB STATUS shape (Type, Name, Status) built by hand: no capture exists.
test('numeric and boolean-word rows become untyped metrics; text rows are skipped', async () => {
  const db = new FakeDb([
    [
      /^SHOW ENGINE TOKUDB STATUS$/,
      result(
        ['Type', 'Name', 'Status'],
        [
          ['TokuDB', 'cachetable: miss', '12345'],
          ['TokuDB', 'checkpoint: last checkpoint began', 'Tue Nov 12 10:00:00 2019'],
          ['TokuDB', 'db opens', '7'],
          ['TokuDB', 'filesystem: ENOSPC redzone state', 'no'],
          ['TokuDB', 'ft: uncompressed / compressed bytes written (leaf)', '2.5'],
          ['TokuDB', 'locktree: memory size', null],
          ['TokuDB', 'Cachetable: Miss', '1'],
        ],
      ),
    ],
  ]);
  const outcome = await scrapeOutcome(buildCollector(engineTokudbStatus), PERCONA_57(), db);
  assert.equal(outcome?.success, true, outcome?.error);
  const fams = outcome!.families;
  assert.deepEqual(
    fams.map((f) => f.name),
    [
      'mysql_engine_tokudb_cachetable_miss',
      'mysql_engine_tokudb_db_opens',
      'mysql_engine_tokudb_filesystem_enospc_redzone_state',
      'mysql_engine_tokudb_ft_uncompressed_and_compressed_bytes_written_leaf',
    ],
  );
  assert.equal(requireFamily(fams, 'mysql_engine_tokudb_cachetable_miss').samples[0]!.value, 12345);
  assert.equal(requireFamily(fams, 'mysql_engine_tokudb_cachetable_miss').type, 'untyped');
  assert.equal(
    requireFamily(fams, 'mysql_engine_tokudb_filesystem_enospc_redzone_state').samples[0]!.value,
    0,
  );
  assert.equal(
    requireFamily(fams, 'mysql_engine_tokudb_ft_uncompressed_and_compressed_bytes_written_leaf').samples[0]!
      .value,
    2.5,
  );
  validSeriesCount(fams);
});

test('where TokuDB can exist but is not loaded: one statement, one clear reason', async () => {
  const err = new QueryError(
    "ER_UNKNOWN_STORAGE_ENGINE: Unknown storage engine 'TOKUDB'",
    'ER_UNKNOWN_STORAGE_ENGINE',
  );
  for (const info of [PERCONA_57(), MARIADB_104()]) {
    const db = new FakeDb([[/TOKUDB/, err]]);
    await assert.rejects(buildCollector(engineTokudbStatus).collect(context(db, info)), (e: unknown) => {
      assert.ok(e instanceof CollectorError);
      assert.match(e.message, /^TokuDB is not loaded on this server .*--collect\.engine_tokudb_status$/);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
    assert.equal(db.sent.length, 1);
  }
});

test('servers where TokuDB cannot exist run no query', async () => {
  const perconaRemoved = server('8.0.28-19', 'Percona Server (GPL), Release 19');
  for (const info of [
    MYSQL_80(),
    MYSQL_84(),
    PERCONA_80(),
    perconaRemoved,
    MARIADB_1011(),
    MARIADB_114(),
    server('10.5.1-MariaDB'),
  ]) {
    const db = new FakeDb([]);
    assert.equal(
      await scrapeOutcome(buildCollector(engineTokudbStatus), info, db),
      undefined,
      info.versionString,
    );
    assert.equal(db.sent.length, 0);
  }
  const c = buildCollector(engineTokudbStatus);
  assert.ok(c.supports(server('8.0.27-18', 'Percona Server (GPL), Release 18')));
  assert.ok(c.supports(MARIADB_104()));
});
