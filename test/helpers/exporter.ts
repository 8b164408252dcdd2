/**
 * Starts our exporter in-process against a real server, on a free loopback port, capturing its log
 * lines, for end-to-end HTTP tests.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { loadConfig } from '../../src/assemble.js';
import { createLogger } from '../../src/log/logger.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { tempDir } from './tmp.js';

export interface TestExporter {
  readonly server: RunningServer;
  readonly url: string;
  readonly logs: string[];
  readonly cnfPath: string;
  get(
    path: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: string; headers: Headers }>;
  stop(): Promise<void>;
}

/** Writes a .my.cnf in a temp dir and returns its path. */
export function writeMyCnf(content: string): string {
  const dir = tempDir('mysql-exporter-cnf-');
  const p = join(dir, 'my.cnf');
  writeFileSync(p, content, { mode: 0o600 });
  return p;
}

export function cnfFor(port: number, user: string, password: string, extra = ''): string {
  const quoted = `"${password.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return `[client]\nhost = 127.0.0.1\nport = ${port}\nuser = ${user}\npassword = ${quoted}\n${extra}`;
}

export async function startExporter(cnfPath: string, args: readonly string[] = []): Promise<TestExporter> {
  const argv = [
    `--config.my-cnf=${cnfPath}`,
    '--web.listen-address=127.0.0.1:0',
    '--log.level=debug',
    ...args,
  ];
  const env = { HOME: tmpdir() };
  const loaded = await loadConfig(argv, env);
  if (loaded.kind !== 'config') throw new Error('expected a configuration');
  const logs: string[] = [];
  const log = createLogger({ level: 'debug', format: 'logfmt', write: (l) => logs.push(l) });
  const server = await startServer({
    config: loaded.config,
    log,
    version: { version: 'test', revision: 'test' },
    readFile: (p) => readFileSync(p),
    reloadConfig: async () => {
      const next = await loadConfig(argv, env);
      if (next.kind !== 'config') throw new Error('expected a configuration');
      return next.config;
    },
  });
  const url = `${server.scheme}://${server.urls[0]}`;
  return {
    server,
    url,
    logs,
    cnfPath,
    async get(path, headers = {}) {
      const res = await fetch(url + path, { headers });
      return { status: res.status, body: await res.text(), headers: res.headers };
    },
    async stop() {
      await server.shutdown();
    },
  };
}

/**
 * Runs `promtool check metrics` on an exposition. promtool exits 1 on parse errors and 3 on lint
 * findings (e.g. a counter without `_total`, which some mysqld_exporter names are and must stay).
 */
export function promtoolCheck(text: string): { errors: string; lint: string[] } {
  try {
    execFileSync('promtool', ['check', 'metrics'], { input: text, stdio: ['pipe', 'pipe', 'pipe'] });
    return { errors: '', lint: [] };
  } catch (err) {
    const e = err as { status?: number; stdout?: Buffer; stderr?: Buffer; message: string };
    const out = `${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`;
    if (e.status === 3) return { errors: '', lint: out.split('\n').filter((l) => l.trim().length > 0) };
    return { errors: out || e.message, lint: [] };
  }
}

/** Series that appear twice (promtool does not check this; Prometheus rejects the scrape). */
export function duplicateSeries(text: string): string[] {
  const seen = new Set<string>();
  const dups: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.length === 0) continue;
    const series = line.slice(0, line.lastIndexOf(' '));
    if (seen.has(series)) dups.push(series);
    seen.add(series);
  }
  return dups;
}

/** Parses the value of one series, e.g. `sampleValue(text, 'mysql_up')`. */
export function sampleValue(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

export function cleanup(path: string): void {
  rmSync(path, { recursive: true, force: true });
}
