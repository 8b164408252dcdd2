/**
 * Composition root: argv + env -> configuration -> logger -> server; signals drive reload (SIGHUP)
 * and graceful shutdown (SIGTERM, SIGINT). Returns the process exit code.
 */
import { readFileSync } from 'node:fs';
import { type Env, type LoadedConfig, loadConfig } from './assemble.js';
import { ConfigError, errorMessage } from './errors.js';
import { createLogger } from './log/logger.js';
import { startServer } from './server.js';
import { readVersion } from './version.js';
import { unsupportedNode } from './runtime/node-support.js';

export interface MainIO {
  readonly argv: readonly string[];
  readonly env: Env;
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  /** V8 flags the command set at start-up (logged at debug level). */
  readonly v8Flags?: readonly string[];
  /** Process signals; injectable for tests. */
  readonly onSignal?: (signal: NodeJS.Signals, handler: () => void) => void;
}

export async function main(io: MainIO): Promise<number> {
  const version = readVersion(io.env);
  let config: LoadedConfig;
  try {
    const loaded = await loadConfig(io.argv, io.env);
    if (loaded.kind === 'help') {
      io.stdout(loaded.text);
      return 0;
    }
    if (loaded.kind === 'version') {
      io.stdout(
        `mysql-exporter, version ${version.version} (revision: ${version.revision})\n  node: ${process.version}\n`,
      );
      return 0;
    }
    config = loaded.config;
  } catch (err) {
    const detail = err instanceof ConfigError ? err.message : errorMessage(err);
    io.stderr(`mysql-exporter: error: invalid configuration:\n${detail.replace(/^/gm, '  ')}\n`);
    return 2;
  }

  const log = createLogger({
    level: config.log.level,
    format: config.log.format,
    write: (line) => io.stderr(`${line}\n`),
  });
  for (const w of config.warnings)
    log.warn('configuration warning', { source: w.source, line: w.line, key: w.key, msg: w.message });
  log.info('starting mysql-exporter', { version: version.version, node: process.version });
  const nodeProblem = unsupportedNode(process.version);
  if (nodeProblem) log.warn(nodeProblem);
  if (io.v8Flags?.length) log.debug('V8 heap settings', { flags: io.v8Flags.join(' ') });

  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({
      config,
      log,
      version,
      readFile: (p) => readFileSync(p),
      reloadConfig: async () => {
        const next = await loadConfig(io.argv, io.env);
        if (next.kind !== 'config') throw new Error('unexpected help/version on reload');
        return next.config;
      },
    });
  } catch (err) {
    log.error('could not start', { err: errorMessage(err) });
    return 1;
  }

  const onSignal = io.onSignal ?? ((sig, handler) => process.on(sig, handler));
  return new Promise<number>((resolve) => {
    const stop = () => {
      server.shutdown().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    onSignal('SIGTERM', stop);
    onSignal('SIGINT', stop);
    onSignal('SIGHUP', () => {
      void server.reload();
    });
  });
}
