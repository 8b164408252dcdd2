/**
 * Starts the HTTP listeners for a loaded configuration and stops them gracefully: stop accepting,
 * let in-flight scrapes finish within the grace period, then close the database pools (COM_QUIT).
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LoadedConfig } from './config/load.js';
import { errorMessage } from './errors.js';
import { Exporter } from './exporter.js';
import { SelfMetrics } from './exposition/self-metrics.js';
import { createApp } from './http/app.js';
import type { DeadlineSettings } from './http/deadline.js';
import { parseListenAddress } from './http/listen.js';
import type { Logger } from './log/logger.js';
import type { VersionInfo } from './version.js';

export interface RunningServer {
  readonly exporter: Exporter;
  /** Bound addresses, e.g. `127.0.0.1:9104` (useful with port 0). */
  readonly urls: readonly string[];
  /** Re-reads configuration; undefined on success, the reason on failure. */
  reload(): Promise<string | undefined>;
  shutdown(): Promise<void>;
}

export interface StartOptions {
  readonly config: LoadedConfig;
  readonly log: Logger;
  readonly version: VersionInfo;
  readonly readFile?: (path: string) => Buffer;
  /** Produces a fresh configuration (re-reading files) for reload. */
  readonly reloadConfig?: () => Promise<LoadedConfig>;
  /** Called with each newly loaded configuration (e.g. to refresh the logger's secrets). */
  readonly onConfig?: (config: LoadedConfig) => void;
}

export async function startServer(opts: StartOptions): Promise<RunningServer> {
  const { log } = opts;
  let config = opts.config;
  let deadline: DeadlineSettings = config.deadline;
  let accepting = true;
  const exporter = new Exporter(config.state, {
    log,
    maxTargets: config.maxTargets,
    ...(opts.readFile ? { readFile: opts.readFile } : {}),
  });
  const selfMetrics = new SelfMetrics(opts.version);

  const reload = async (): Promise<string | undefined> => {
    if (!opts.reloadConfig) return 'reload is not configured';
    try {
      const next = await opts.reloadConfig();
      await exporter.replaceState(next.state);
      config = next;
      deadline = next.deadline;
      opts.onConfig?.(next);
      selfMetrics.reloaded(true);
      log.info('configuration reloaded');
      return undefined;
    } catch (err) {
      selfMetrics.reloaded(false);
      const reason = errorMessage(err);
      log.error('configuration reload failed; keeping the running configuration', { err: reason });
      return reason;
    }
  };

  const app = createApp({
    exporter,
    log,
    telemetryPath: config.telemetryPath,
    deadline: () => deadline,
    probeAllow: () => config.probeAllow,
    version: opts.version.version,
    extraMetrics: () => selfMetrics.metrics(),
    reload,
    ready: () => accepting,
  });

  const servers: Server[] = [];
  const urls: string[] = [];
  try {
    for (const raw of config.listenAddresses) {
      const addr = parseListenAddress(raw);
      if (!addr) throw new Error(`invalid listen address ${raw}`);
      const server = createServer({ maxHeaderSize: 16 * 1024, requestTimeout: 300_000 }, app);
      server.headersTimeout = 10_000;
      server.keepAliveTimeout = 65_000;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(addr.port, addr.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      server.on('error', (err) => log.error('http server error', { err: err.message }));
      servers.push(server);
      const a = server.address() as AddressInfo;
      urls.push(a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`);
    }
  } catch (err) {
    for (const s of servers) s.close();
    await exporter.close();
    throw err;
  }
  log.info('listening', { addresses: urls.join(','), telemetry_path: config.telemetryPath });

  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      accepting = false;
      log.info('shutting down', { grace_ms: config.shutdownGraceMs });
      const closed = Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
      for (const s of servers) s.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((r) => {
        timer = setTimeout(r, config.shutdownGraceMs);
      });
      await Promise.race([closed, grace]);
      clearTimeout(timer);
      for (const s of servers) s.closeAllConnections();
      await exporter.close();
      log.info('stopped');
    })();
    return stopping;
  };
  return { exporter, urls, reload, shutdown };
}
