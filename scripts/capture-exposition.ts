/**
 * Captures what the exporter command serves on /metrics against a throwaway MariaDB, to check that a
 * refactor changes no output byte: `node --import tsx scripts/capture-exposition.ts OUT_DIR`, once
 * before and once after, then `diff -r BEFORE AFTER`.
 *
 * Written per scrape: `default.prom` (default collectors), `all.prom` (--collect.all) and one
 * `collector-<name>.prom` per collector (`collect[]=<name>` under --collect.all). The text is kept
 * byte for byte (HELP and TYPE lines, metric names, label names and values, line order) except the
 * sample values, which are replaced by `<v>`, and the series of metrics whose label sets depend on the
 * moment of the scrape (see VOLATILE). Nothing else is normalised.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_PASSWORD, ADMIN_USER, type MariaDb, startMariaDb } from '../test/helpers/mariadb.js';

/**
 * Families whose series come and go between two scrapes of an idle server (threads in a state, the
 * Node.js runtime's heap spaces, open file instances): their HELP/TYPE lines are kept, their sample
 * lines are dropped.
 */
const VOLATILE = [
  /^mysql_info_schema_processlist_/,
  /^mysql_info_schema_threads/,
  /^mysql_perf_schema_file_instances_/,
  /^mysql_perf_schema_events_statements_/,
  /^mysql_perf_schema_memory_events_/,
  /^mysql_info_schema_table_/,
  /^mysql_info_schema_auto_increment_/,
  /^nodejs_/,
  /^process_/,
];

export function normalise(text: string): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line === '') {
      out.push(line);
      continue;
    }
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0] ?? '';
    if (VOLATILE.some((re) => re.test(name))) continue;
    const cut = line.lastIndexOf(' ');
    out.push(`${line.slice(0, cut)} <v>`);
  }
  return out.join('\n');
}

async function startCli(cnf: string, args: readonly string[]) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli.ts', `--config.my-cnf=${cnf}`, '--web.listen-address=127.0.0.1:0', ...args],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { HOME: tmpdir(), PATH: process.env.PATH ?? '' } },
  );
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /addresses=(\S+)/.exec(err);
      if (m) resolve(`http://${m[1]!.replace(/"/g, '')}`);
    });
    child.once('exit', (code) => reject(new Error(`exporter exited (${code}):\n${err}`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function get(url: string): Promise<string> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
  return res.text();
}

async function run(outDir: string): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), 'mysql-exporter-capture-'));
  let db: MariaDb | undefined;
  const stops: Array<() => Promise<void>> = [];
  try {
    db = await startMariaDb({ args: ['--userstat=ON', '--log-bin=capture-bin', '--server-id=1'] });
    const cnf = join(tmp, 'my.cnf');
    writeFileSync(
      cnf,
      `[client]\nhost = 127.0.0.1\nport = ${db.port}\nuser = ${ADMIN_USER}\npassword = ${ADMIN_PASSWORD}\n`,
      { mode: 0o600 },
    );
    const plain = await startCli(cnf, []);
    stops.push(plain.stop);
    await get(`${plain.url}/metrics`); // the first scrape has no event-loop samples yet
    writeFileSync(join(outDir, 'default.prom'), normalise(await get(`${plain.url}/metrics`)));
    const all = await startCli(cnf, ['--collect.all']);
    stops.push(all.stop);
    await get(`${all.url}/metrics`);
    const allText = await get(`${all.url}/metrics`);
    writeFileSync(join(outDir, 'all.prom'), normalise(allText));
    const names = [
      ...allText.matchAll(/^mysql_exporter_collector_success\{collector="collect\.([^"]+)"\}/gm),
    ];
    for (const [, name] of names) {
      const text = await get(`${all.url}/metrics?collect[]=${encodeURIComponent(name!)}`);
      writeFileSync(join(outDir, `collector-${name}.prom`), normalise(text));
    }
    process.stderr.write(`captured default, all and ${names.length} collectors into ${outDir}\n`);
  } finally {
    for (const stop of stops) await stop();
    await db?.destroy();
    rmSync(tmp, { recursive: true, force: true });
  }
}

const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: capture-exposition.ts OUT_DIR\n');
  process.exit(2);
}
await run(out);
