/**
 * The one assembly point, used by the command (server.ts) and the embedding API (embed.ts): reads the
 * configuration (config/), builds the collectors from it (built-in and query files), and from both the
 * exporter (targets, single-flight), its own metrics, reload, and what the HTTP layer is given.
 */
import { dirname, resolve } from 'node:path';
import type { Metric } from 'prom-client';
import { BUILTIN_COLLECTORS } from './collectors/index.js';
import { type Config, type Env, parseConfig, queryDirs } from './config/load.js';
import { builtinQueriesDir, loadQueryFiles } from './declarative/index.js';
import { ConfigError, type ConfigProblem, errorMessage } from './errors.js';
import { Exporter, type ExporterState } from './exporter.js';
import { poolMetrics } from './exposition/pool-metrics.js';
import { SelfMetrics } from './exposition/self-metrics.js';
import type { HttpDeps } from './http/app.js';
import { type WebConfig, loadWebConfig } from './http/web-config-load.js';
import type { Logger } from './log/logger.js';
import { markBatchable } from './model/batchable.js';
import type { Collector, CollectorDef } from './model/collector.js';
import type { VersionInfo } from './version.js';

export type { Env };

/** The configuration with what is built from it: the collectors (state) and the web config file. */
export interface LoadedConfig extends Config {
  readonly state: ExporterState;
  /** The parsed --web.config.file (TLS, basic auth, headers); absent without the flag. */
  readonly web?: WebConfig;
}

export type LoadResult =
  | { readonly kind: 'config'; readonly config: LoadedConfig }
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'version' };

/**
 * Flags, environment, .my.cnf, query files and web config file -> one LoadedConfig, or one
 * ConfigError listing every problem. Called at start-up and again, unchanged, on reload.
 */
export async function loadConfig(argv: readonly string[], env: Env): Promise<LoadResult> {
  const problems: ConfigProblem[] = [];
  let declarative: readonly CollectorDef[] = [];
  try {
    const loaded = await loadQueryFiles([builtinQueriesDir(), ...queryDirs(argv, env)], {
      reservedCollectorNames: BUILTIN_COLLECTORS.map((d) => d.name),
    });
    // The package's own query files may share a multi-statement batch; --queries.dir files never.
    const own = resolve(builtinQueriesDir());
    declarative = loaded.collectors.map((d, i) => {
      const source = loaded.specs[i]?.source;
      if (source === undefined || dirname(resolve(source)) !== own) return d;
      return { ...d, create: (flags) => markBatchable(d.create(flags)) };
    });
  } catch (err) {
    if (err instanceof ConfigError) problems.push(...err.problems);
    else throw err;
  }
  const defs: CollectorDef[] = [...BUILTIN_COLLECTORS, ...declarative];
  const parsed = await parseConfig(argv, env, defs);
  if (parsed.kind !== 'config') return parsed;
  problems.push(...parsed.problems);
  const config = parsed.config;

  // --web.config.file: its problems are reported with the others (start-up refuses).
  let web: WebConfig | undefined;
  if (config.webConfigFile) {
    try {
      web = await loadWebConfig(config.webConfigFile);
    } catch (err) {
      if (err instanceof ConfigError) problems.push(...err.problems);
      else throw err;
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const collectors: Collector[] = [];
  const budgetMs = config.collectorBudgetMs;
  for (const d of defs) {
    const c = d.create(config.flags);
    collectors.push(budgetMs > 0 && c.timeoutMs === undefined ? { ...c, timeoutMs: budgetMs } : c);
  }
  const state: ExporterState = {
    settings: config.settings,
    modules: config.modules,
    collectors,
    enabled: config.enabled,
  };
  return { kind: 'config', config: { ...config, state, ...(web ? { web } : {}) } };
}

export interface AssemblyOptions {
  readonly config: LoadedConfig;
  readonly log: Logger;
  readonly version: VersionInfo;
  readonly readFile?: (path: string) => Buffer;
  /** Node.js process metrics on the metrics path (off when embedded in an app that has its own). */
  readonly processMetrics?: boolean;
  /** Produces a fresh configuration (re-reading files) for reload; without it reload is refused. */
  readonly reloadConfig?: () => Promise<LoadedConfig>;
  /** Called with each newly loaded configuration once the exporter runs on it; may refuse it by throwing. */
  readonly onConfig?: (config: LoadedConfig) => void | Promise<void>;
}

export interface Assembly {
  readonly exporter: Exporter;
  /** The configuration in force (replaced whole by a successful reload). */
  config(): LoadedConfig;
  /** Re-reads the configuration; undefined on success, else the reason (the running one is kept). */
  reload(): Promise<string | undefined>;
  /** What the HTTP layer needs, with the live metrics served in front of the scrape's. */
  httpDeps(more?: Pick<HttpDeps, 'ready'> & { readonly extraMetrics?: () => readonly Metric[] }): HttpDeps;
}

export function assemble(opts: AssemblyOptions): Assembly {
  let config = opts.config;
  const exporter = new Exporter(config.state, {
    log: opts.log,
    maxTargets: config.maxTargets,
    maxWaitersPerTarget: config.maxWaitingScrapes,
    ...(opts.readFile ? { readFile: opts.readFile } : {}),
  });
  const self = new SelfMetrics(
    opts.version,
    opts.processMetrics === undefined ? {} : { processMetrics: opts.processMetrics },
  );
  const pools = poolMetrics(() => exporter.targetStats());
  const reload = async (): Promise<string | undefined> => {
    if (!opts.reloadConfig) return 'reload is not configured';
    try {
      const next = await opts.reloadConfig();
      await exporter.replaceState(next.state);
      config = next;
      await opts.onConfig?.(next);
      self.reloaded(true);
      return undefined;
    } catch (err) {
      self.reloaded(false);
      return errorMessage(err);
    }
  };
  return {
    exporter,
    config: () => config,
    reload,
    httpDeps: (more = {}) => ({
      exporter,
      log: opts.log,
      telemetryPath: config.telemetryPath,
      deadline: () => config.deadline,
      probeAllow: () => config.probeAllow,
      nativeHistograms: () => config.nativeHistograms,
      version: opts.version.version,
      extraMetrics: more.extraMetrics
        ? () => [...self.metrics(), ...pools(), ...(more.extraMetrics?.() ?? [])]
        : () => [...self.metrics(), ...pools()],
      reload,
      ...(more.ready ? { ready: more.ready } : {}),
    }),
  };
}
