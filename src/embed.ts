/**
 * Embedding: the exporter as an express router inside another Node app, next to the app's own routes
 * and prom-client metrics. Configuration is the same flags as the command line (parsed and validated
 * the same way); the app's registries are appended to the exporter's metrics path.
 */
import type { Router } from 'express';
import type { Metric, Registry } from 'prom-client';
import { type Env, assemble, loadConfig } from './assemble.js';
import type { Exporter } from './exporter.js';
import { createRouter } from './http/app.js';
import { type Logger, silentLogger } from './log/logger.js';
import { readVersion } from './version.js';

export interface EmbedOptions {
  /** Flags as on the command line, e.g. `['--config.my-cnf=/etc/mysql-exporter/.my.cnf']`. */
  readonly argv?: readonly string[];
  /** Environment for `${VAR}` expansion and MYSQLD_EXPORTER_PASSWORD; defaults to an empty one. */
  readonly env?: Env;
  readonly log?: Logger;
  /** The app's own registries, served on the exporter's metrics path after the exporter's metrics. */
  readonly registries?: readonly Registry[];
  /** Node.js process metrics from the exporter; off by default (the app usually has its own). */
  readonly processMetrics?: boolean;
}

export interface EmbeddedExporter {
  readonly router: Router;
  readonly exporter: Exporter;
  /** Re-reads the option file and query files; undefined on success, else the reason. */
  reload(): Promise<string | undefined>;
  /** Closes the database pools. */
  close(): Promise<void>;
}

export async function createEmbeddedExporter(opts: EmbedOptions = {}): Promise<EmbeddedExporter> {
  const argv = opts.argv ?? [];
  const env = opts.env ?? {};
  const log = opts.log ?? silentLogger();
  const load = async () => {
    const loaded = await loadConfig(argv, env);
    if (loaded.kind !== 'config') throw new Error('--help and --version are not available when embedded');
    return loaded.config;
  };
  const assembly = assemble({
    config: await load(),
    log,
    version: readVersion(env),
    processMetrics: opts.processMetrics ?? false,
    reloadConfig: load,
  });
  const router = createRouter(
    assembly.httpDeps({
      extraMetrics: () =>
        (opts.registries ?? []).flatMap((r) => r.getMetricsAsArray() as unknown as Metric[]),
    }),
  );
  const { exporter } = assembly;
  return { router, exporter, reload: assembly.reload, close: () => exporter.close() };
}
