import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sessionStatements } from '../../../src/db/session.js';

test('MariaDB sessions: read-only, lock_wait_timeout, max_statement_time in seconds', () => {
  assert.deepEqual(
    sessionStatements({ mariadb: true, lockWaitTimeoutSeconds: 2, statementTimeoutMs: 1500 }),
    ['SET SESSION TRANSACTION READ ONLY', 'SET SESSION lock_wait_timeout=2, max_statement_time=1.500'],
  );
});

test('MySQL sessions: max_execution_time in milliseconds; log_slow_filter as its own statement', () => {
  assert.deepEqual(
    sessionStatements({
      mariadb: false,
      lockWaitTimeoutSeconds: 0,
      statementTimeoutMs: 60_000,
      logSlowFilter: true,
    }),
    [
      'SET SESSION TRANSACTION READ ONLY',
      'SET SESSION max_execution_time=60000',
      "SET SESSION log_slow_filter = 'tmp_table_on_disk,filesort_on_disk'",
    ],
  );
});
