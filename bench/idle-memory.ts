/**
 * Memory per idle target: opens BENCH_IDLE_TARGETS (300) target pools against one throwaway MariaDB,
 * one scrape's worth of connections each, then reports the growth of the heap and of RSS per target
 * after a full GC. Run with --expose-gc:
 *   node --expose-gc --import tsx bench/idle-memory.ts
 */
import { memoryUsage } from 'node:process';
import { Target } from '../src/db/target.js';
import { Secret } from '../src/model/secret.js';
import { createLogger } from '../src/log/logger.js';
import { startMariaDb } from '../test/helpers/mariadb.js';

const N = Number(process.env.BENCH_IDLE_TARGETS ?? 300);
const USER = 'idle_bench';
const PASSWORD = 'idle-pw';

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error('run with node --expose-gc');
  g();
  g();
}

const mib = (b: number) => (b / 1048576).toFixed(1);

async function main(): Promise<void> {
  const db = await startMariaDb({ args: [`--max-connections=${2 * N + 50}`] });
  const targets: Target[] = [];
  try {
    await db.sql(
      `CREATE USER '${USER}'@'127.0.0.1' IDENTIFIED BY '${PASSWORD}'`,
      `GRANT PROCESS, REPLICATION CLIENT, SLAVE MONITOR, SELECT ON *.* TO '${USER}'@'127.0.0.1'`,
    );
    const log = createLogger({ level: 'error', format: 'logfmt', write: () => {} });
    const make = () =>
      new Target({
        address: { kind: 'tcp', host: '127.0.0.1', port: db.port },
        credentials: { user: USER, password: Secret.of(PASSWORD), tls: { mode: 'off' } },
        poolSize: 2,
        lockWaitTimeoutSeconds: 2,
        statementTimeoutMs: 0,
        connectTimeoutMs: 5000,
        log,
      });
    // Warm-up: load every module and code path once before the baseline.
    const warm = make();
    await warm.serverInfo(AbortSignal.timeout(10_000));
    await warm.db(AbortSignal.timeout(10_000)).query('SELECT 1');
    await warm.close();
    gc();
    const before = memoryUsage();
    for (let i = 0; i < N; i++) {
      const t = make();
      targets.push(t);
      const signal = AbortSignal.timeout(10_000);
      await t.serverInfo(signal);
      await Promise.all([t.db(signal).query('SELECT 1'), t.db(signal).query('SELECT 2')]);
    }
    await new Promise((r) => setTimeout(r, 200));
    gc();
    const after = memoryUsage();
    const sessions = targets.reduce((n, t) => n + t.stats().all, 0);
    const heap = (after.heapUsed - before.heapUsed) / N;
    const ext = (after.external + after.arrayBuffers - before.external - before.arrayBuffers) / N;
    const rss = (after.rss - before.rss) / N;
    console.log(
      `idle targets: ${N}, open client connections: ${sessions}; per target: heap ${(heap / 1024).toFixed(1)} KiB, external ${(ext / 1024).toFixed(1)} KiB, RSS ${(rss / 1024).toFixed(1)} KiB; heap ${mib(before.heapUsed)} -> ${mib(after.heapUsed)} MiB, RSS ${mib(before.rss)} -> ${mib(after.rss)} MiB`,
    );
  } finally {
    await Promise.all(targets.map((t) => t.close()));
    await db.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
