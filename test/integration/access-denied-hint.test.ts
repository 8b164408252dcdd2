/**
 * An access-denied error carries the TLS hint only when TLS is what is missing: checked against real
 * MariaDB servers, one without TLS and one with a certificate, with a wrong password and with an
 * account that REQUIRES SSL (the server answers both with the same "Access denied").
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Secret } from '../../src/model/secret.js';
import type { Target } from '../../src/db/target.js';
import { ConnectError } from '../../src/errors.js';
import { exporterTarget } from '../helpers/exporter-target.js';
import { createExporterUser, type MariaDb, sqlString, startMariaDb } from '../helpers/mariadb.js';
import { makeTestCa } from '../helpers/test-ca.js';
import { removeTempDir } from '../helpers/tmp.js';

const HINT = /TLS is off for this auth module/;

describe('access denied: the TLS hint only when TLS is relevant', () => {
  let plain: MariaDb;
  let tls: MariaDb;
  let dir = '';
  const targets: Target[] = [];

  before(async () => {
    const self = makeTestCa({ cn: 'db.test', leaves: [] });
    dir = self.dir;
    [plain, tls] = await Promise.all([
      startMariaDb(),
      startMariaDb({ args: [`--ssl-cert=${self.ca.certPath}`, `--ssl-key=${self.ca.keyPath}`] }),
    ]);
    for (const db of [plain, tls]) {
      await createExporterUser(db, 'exporter', 'right-pw');
      await db.sql(`CREATE USER 'needs_tls'@'127.0.0.1' IDENTIFIED BY ${sqlString('right-pw')} REQUIRE SSL`);
    }
  });
  after(async () => {
    for (const t of targets) await t.close();
    await Promise.all([plain?.destroy(), tls?.destroy()]);
    if (dir) removeTempDir(dir);
  });

  /** A one-connection Target without TLS for `user`, closed after the tests. */
  function plainTarget(db: MariaDb, user: string, password: string): Target {
    const t = exporterTarget(db, {
      credentials: { user, password: Secret.of(password), tls: { mode: 'off' } },
      poolSize: 1,
      statementTimeoutMs: 10_000,
      connectTimeoutMs: 5000,
    });
    targets.push(t);
    return t;
  }

  async function connectError(db: MariaDb, user: string, password: string): Promise<ConnectError> {
    const t = plainTarget(db, user, password);
    const err = await t.serverInfo(new AbortController().signal).then(
      () => assert.fail('expected access denied'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ConnectError, String(err));
    assert.equal(err.serverCode, 'ER_ACCESS_DENIED_ERROR', err.message);
    return err;
  }

  test('a wrong password on a server without TLS: no hint', async () => {
    assert.doesNotMatch((await connectError(plain, 'exporter', 'wrong-pw')).message, HINT);
  });

  test('a wrong password on a server with TLS: no hint', async () => {
    assert.doesNotMatch((await connectError(tls, 'exporter', 'wrong-pw')).message, HINT);
  });

  test('an account that REQUIRES SSL, reached without TLS: the hint', async () => {
    assert.match((await connectError(tls, 'needs_tls', 'right-pw')).message, HINT);
  });

  test('REQUIRE SSL on a server without TLS: no hint (TLS cannot help there)', async () => {
    assert.doesNotMatch((await connectError(plain, 'needs_tls', 'right-pw')).message, HINT);
  });

  test('no extra connection on a server without TLS; one probe, not one per scrape, with TLS', async () => {
    const aborted = async (db: MariaDb) =>
      Number((await db.sql("SHOW GLOBAL STATUS LIKE 'Aborted_connects'"))[0]?.Value);
    for (const [db, extra] of [
      [plain, 0],
      [tls, 1],
    ] as const) {
      const t = plainTarget(db, 'exporter', 'wrong-pw');
      const before = await aborted(db);
      // Connects that reached the server: the per-target backoff (db/backoff.ts) answers the third
      // attempt itself, without a connection.
      let attempts = 0;
      for (let i = 0; i < 3; i++)
        await assert.rejects(t.serverInfo(new AbortController().signal), (err: unknown) => {
          assert.ok(err instanceof ConnectError);
          if (err.serverCode !== 'BACKING_OFF') attempts++;
          return true;
        });
      assert.ok(attempts >= 2, `at least two real attempts (got ${attempts})`);
      assert.equal((await aborted(db)) - before, attempts + extra);
    }
  });

  test('no probe connection is left behind', async () => {
    for (const db of [plain, tls]) {
      const rows = await db.sql(
        "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER IN ('exporter', 'needs_tls')",
      );
      assert.equal(Number(rows[0]?.n), 0);
    }
  });
});
