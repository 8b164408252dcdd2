/**
 * Shutdown under load, with real processes and a slow server: every scrape accepted before or during the
 * drain gets an HTTP answer (200 with what the round has, or 503) within --exporter.shutdown_grace,
 * /-/ready answers 503 while draining (the port keeps listening), and the process exits within the grace
 * even though the server is still running the exporter's statements.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { startFaultDb } from '../helpers/fault/db.js';
import { queryFile, writeCnf, writeQueries } from '../helpers/fault/exporter.js';
import { type HttpResult, httpGet } from '../helpers/fault/net.js';
import { type ExporterProcess, spawnExporter } from '../helpers/fault/process.js';
import { sessions, waitFor } from '../helpers/fault/server-state.js';
import type { MariaDb } from '../helpers/mariadb.js';

const GRACE_MS = 2000;
/** Generous: process start-up jitter and a loaded CI machine, far below the 2-5 s overrun it catches. */
const MARGIN_MS = 1500;
const SLOW = '/metrics?collect[]=fault.sleep20&collect[]=global_status';
const H = { 'X-Prometheus-Scrape-Timeout-Seconds': '60' };

describe('fault: graceful shutdown with scrapes in flight on a slow server', () => {
  let db: MariaDb;
  let queries = '';
  let cnf = '';
  const procs: ExporterProcess[] = [];

  before(async () => {
    db = await startFaultDb({ maxUserConnections: 20 });
    queries = writeQueries({ 'sleep20.yaml': queryFile('fault.sleep20', 'SELECT SLEEP(20) AS v') });
    cnf = writeCnf(db);
  });
  after(async () => {
    for (const p of procs) await p.kill();
    await db?.destroy();
    rmSync(queries, { recursive: true, force: true });
    rmSync(cnf.replace(/\/my\.cnf$/, ''), { recursive: true, force: true });
  });

  test('accepted scrapes are answered, /-/ready says 503, and the process exits within the grace', async () => {
    const p = await spawnExporter([
      `--config.my-cnf=${cnf}`,
      `--queries.dir=${queries}`,
      '--exporter.scrape_timeout=60s',
      `--exporter.shutdown_grace=${GRACE_MS}ms`,
      '--exporter.max_open_connections=4',
    ]);
    procs.push(p);
    const answered: Array<{ r?: HttpResult; err?: unknown; at: number }> = [];
    const scrape = () =>
      httpGet(p.url + SLOW, { headers: H, timeoutMs: 60_000 }).then(
        (r) => answered.push({ r, at: Date.now() }),
        (err: unknown) => answered.push({ err, at: Date.now() }),
      );
    const inFlight = [scrape(), scrape(), scrape()];
    await waitFor('the slow statement runs on the server', 20_000, async () =>
      (await sessions(db)).statements.some((s) => s.includes('SLEEP(20)')),
    );

    const t0 = Date.now();
    p.signal('SIGTERM');
    // Ask only once the process has begun its shutdown (a loaded machine may take a while to run the
    // signal handler): poll its log rather than sleeping.
    await waitFor('the shutdown begins', 10_000, () => p.lines.some((l) => l.includes('shutting down')), 10);
    // While draining: the port still answers; /-/ready says 503; a new scrape is answered too.
    const ready = await httpGet(`${p.url}/-/ready`, { timeoutMs: 5000 });
    assert.equal(ready.status, 503, `/-/ready while draining: ${ready.status} ${ready.body}`);
    const healthy = await httpGet(`${p.url}/-/healthy`, { timeoutMs: 5000 });
    assert.equal(healthy.status, 200);
    inFlight.push(scrape());

    const code = await p.exited;
    const exitMs = Date.now() - t0;
    await Promise.all(inFlight);
    assert.equal(code, 0, p.raw());
    assert.ok(exitMs <= GRACE_MS + MARGIN_MS, `exited ${exitMs} ms after SIGTERM; grace ${GRACE_MS} ms`);
    assert.equal(answered.length, 4);
    for (const a of answered) {
      assert.ok(a.r, `every accepted scrape gets an HTTP answer, got ${String(a.err)}`);
      assert.ok([200, 503].includes(a.r.status), `status ${a.r.status}: ${a.r.body.slice(0, 200)}`);
      if (a.r.status === 200) assert.match(a.r.body, /^mysql_up 1$/m, 'a 200 carries what the round has');
      assert.ok(a.at - t0 <= GRACE_MS + MARGIN_MS, `answered ${a.at - t0} ms after SIGTERM`);
    }
    // The server is not left running the exporter's statements.
    await waitFor('the exporter sessions end', 10_000, async () => (await sessions(db)).total === 0);
    process.stdout.write(
      `# shutdown figures: exit ${exitMs} ms after SIGTERM (grace ${GRACE_MS} ms); answers at ${answered
        .map((a) => `${a.r?.status}@${a.at - t0}ms`)
        .join(', ')}\n`,
    );
  });
});
