/**
 * The Debian `prometheus-mysqld-exporter` (0.14), run beside ours against the same server for the
 * compatibility tests. Missing binary is a loud failure: `.ci/run` installs it.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort } from './mariadb.js';

const BINARY = '/usr/bin/prometheus-mysqld-exporter';

export class ReferenceExporter {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static available(): boolean {
    return existsSync(BINARY);
  }

  /** Every collector-enabling `--collect.X` flag the reference build knows (for "all collectors on"). */
  static collectorFlags(): string[] {
    let help = '';
    try {
      help = execFileSync(BINARY, ['--help-long'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      help = String((err as { stderr?: string }).stderr ?? '');
    }
    const boolOptions = new Set([
      'collect.heartbeat.utc',
      'collect.info_schema.processlist.processes_by_user',
      'collect.info_schema.processlist.processes_by_host',
      'collect.mysql.user.privileges',
    ]);
    const flags = new Set<string>();
    // Boolean flags are listed without a `=default`.
    for (const m of help.matchAll(/^\s+--(collect\.[a-z0-9_.]+)(\s|$)/gm)) {
      if (!boolOptions.has(m[1]!)) flags.add(m[1]!);
    }
    return [...flags];
  }

  static async start(cnfPath: string, args: readonly string[]): Promise<ReferenceExporter> {
    if (!existsSync(BINARY))
      throw new Error(
        `${BINARY} not found: apt-get install prometheus-mysqld-exporter (bash .ci/run does this)`,
      );
    const port = await freePort();
    const child = spawn(
      BINARY,
      [`--config.my-cnf=${cnfPath}`, `--web.listen-address=127.0.0.1:${port}`, ...args],
      {
        stdio: 'ignore',
      },
    );
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      try {
        const r = await fetch(`${url}/`);
        if (r.ok) return new ReferenceExporter(child, url);
      } catch {
        // not up yet
      }
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    throw new Error('the reference mysqld_exporter did not start');
  }

  async scrape(): Promise<string> {
    return (await fetch(`${this.url}/metrics`)).text();
  }

  stop(): void {
    this.child.kill('SIGTERM');
  }
}
