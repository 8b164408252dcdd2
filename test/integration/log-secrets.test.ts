/**
 * Secrets stay out of logs by construction, not by replacing substrings after the fact: with passwords
 * that are also ordinary log text (`info`, `exporter`, `127`, `":"`), every log line stays intact and
 * valid (logfmt and JSON), and a real password never appears in anything a full run logs (start, scrape,
 * wrong password, reload, shutdown). Real processes against a throwaway MariaDB.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cnfFor } from '../helpers/exporter.js';
import { canaryForms } from '../helpers/fault/canary.js';
import { httpGet } from '../helpers/fault/net.js';
import { type ExporterProcess, spawnExporter } from '../helpers/fault/process.js';
import { createExporterUser, type MariaDb, startMariaDb } from '../helpers/mariadb.js';

const ORDINARY = ['info', 'exporter', '127', '":"'] as const;
const SECRET = 'Zq7#secret;"\'pass word=%2F+ü';

let db: MariaDb;
let dir = '';
const procs: ExporterProcess[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'log-secrets-'));
  db = await startMariaDb();
  for (const [i, pw] of ORDINARY.entries()) await createExporterUser(db, `ord${i}`, pw);
  await createExporterUser(db, 'secret', SECRET);
});

after(async () => {
  for (const p of procs) await p.kill();
  await db?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function cnf(name: string, user: string, password: string): string {
  const p = join(dir, name);
  writeFileSync(p, cnfFor(db.port, user, password), { mode: 0o600 });
  return p;
}

async function run(args: readonly string[]): Promise<ExporterProcess> {
  const p = await spawnExporter(['--log.level=debug', ...args]);
  procs.push(p);
  return p;
}

async function stop(p: ExporterProcess): Promise<void> {
  p.signal('SIGTERM');
  assert.equal(await p.exited, 0);
}

/** One parsed log line: logfmt `k=v` pairs or a JSON object, field values as strings. */
function parseLine(line: string, format: 'logfmt' | 'json'): Record<string, string> {
  if (format === 'json') {
    const o = JSON.parse(line) as Record<string, unknown>;
    assert.equal(typeof o, 'object');
    return Object.fromEntries(
      Object.entries(o).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    );
  }
  const out: Record<string, string> = {};
  const re = /([A-Za-z_][A-Za-z0-9_.]*)=("(?:[^"\\]|\\.)*"|[^\s"=\\]*)(?:\s|$)/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  // biome-ignore lint/suspicious/noAssignInExpressions: the loop reads one pair at a time
  while ((m = re.exec(line)) !== null) {
    out[m[1]!] = m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!;
    end = re.lastIndex;
  }
  assert.equal(end, line.length, `not logfmt from column ${end}: ${line}`);
  return out;
}

describe('passwords that are ordinary text leave log lines intact', () => {
  for (const format of ['logfmt', 'json'] as const) {
    for (const [i, pw] of ORDINARY.entries()) {
      test(`password ${JSON.stringify(pw)}, ${format}`, async () => {
        const p = await run([
          `--config.my-cnf=${cnf(`ord${i}-${format}.cnf`, `ord${i}`, pw)}`,
          `--log.format=${format}`,
        ]);
        const r = await httpGet(`${p.url}/metrics`);
        assert.equal(r.status, 200);
        assert.match(r.body, /^mysql_up 1$/m, 'the password is right: the scrape connects');
        await stop(p);
        const parsed = p.lines.map((l) => parseLine(l, format));
        for (const f of parsed) {
          assert.ok(
            ['debug', 'info', 'warn', 'error'].includes(f.level ?? ''),
            `a level: ${JSON.stringify(f)}`,
          );
          assert.ok(!JSON.stringify(f).includes('redacted'), `nothing redacted: ${JSON.stringify(f)}`);
        }
        const start = parsed.find((f) => f.msg === 'starting mysql-exporter');
        assert.ok(start, `a "starting mysql-exporter" line in:\n${p.lines.join('\n')}`);
        assert.equal(start.level, 'info');
        const listening = parsed.find((f) => f.msg === 'listening');
        assert.match(listening?.addresses ?? '', /^127\.0\.0\.1:\d+$/);
      });
    }
  }
});

test('a full run never logs the password: start, scrape, wrong password, reload, shutdown', async () => {
  const good = cnf('secret.cnf', 'secret', SECRET);
  const everything: string[] = [];
  for (const format of ['logfmt', 'json'] as const) {
    writeFileSync(good, cnfFor(db.port, 'secret', SECRET), { mode: 0o600 });
    const p = await run([`--config.my-cnf=${good}`, `--log.format=${format}`]);
    const ok = await httpGet(`${p.url}/metrics`);
    assert.match(ok.body, /^mysql_up 1$/m, p.lines.join('\n'));
    // The wrong password: the same secret with one more character, so a naive message would show it.
    writeFileSync(good, cnfFor(db.port, 'secret', `${SECRET}x`), { mode: 0o600 });
    const reload = await httpGet(`${p.url}/-/reload`, { method: 'POST' });
    assert.equal(reload.status, 200, reload.body);
    const denied = await httpGet(`${p.url}/metrics`);
    assert.match(denied.body, /^mysql_up 0$/m);
    everything.push(reload.body, denied.body);
    writeFileSync(good, cnfFor(db.port, 'secret', SECRET), { mode: 0o600 });
    const reloads = () => p.lines.filter((l) => l.includes('configuration reloaded')).length;
    const before = reloads();
    p.signal('SIGHUP');
    const deadline = Date.now() + 30_000;
    while (reloads() === before) {
      assert.ok(Date.now() < deadline, 'reload logged');
      await new Promise((r) => setTimeout(r, 50));
    }
    const again = await httpGet(`${p.url}/metrics`);
    assert.match(again.body, /^mysql_up 1$/m);
    await stop(p);
    assert.ok(
      p.lines.some((l) => /access denied/i.test(l)),
      `the wrong password is logged:\n${p.lines.join('\n')}`,
    );
    everything.push(p.raw(), ok.body, again.body);
  }
  const text = everything.join('\n');
  for (const form of [...canaryForms(SECRET), ...canaryForms(`${SECRET}x`)])
    assert.ok(!text.includes(form), `the password leaked as ${JSON.stringify(form)}`);
});
