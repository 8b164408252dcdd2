/** A Target for the `exporter` / `pw` account (createExporterUser) on a throwaway MariaDB, over TCP without TLS. */
import { Target } from '../../src/db/target.js';
import type { TargetOptions } from '../../src/db/target-options.js';
import { silentLogger } from '../../src/log/logger.js';
import { Secret } from '../../src/model/secret.js';
import type { MariaDb } from './mariadb.js';

/** Pool of 2, 2 s lock wait, 30 s statement and 2 s connect timeouts, silent log; `overrides` win. */
export function exporterTarget(db: MariaDb, overrides: Partial<TargetOptions> = {}): Target {
  return new Target({
    address: { kind: 'tcp', host: '127.0.0.1', port: db.port },
    credentials: { user: 'exporter', password: Secret.of('pw'), tls: { mode: 'off' } },
    poolSize: 2,
    lockWaitTimeoutSeconds: 2,
    statementTimeoutMs: 30_000,
    connectTimeoutMs: 2000,
    log: silentLogger(),
    ...overrides,
  });
}
