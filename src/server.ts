/**
 * Starts the HTTP listeners for a loaded configuration and stops them gracefully: stop accepting,
 * let in-flight scrapes finish within the grace period, then close the database pools (COM_QUIT).
 */
import { type Server, createServer } from 'node:http';
import { type Server as HttpsServer, createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { type LoadedConfig, assemble } from './assemble.js';
import type { Exporter } from './exporter.js';
import { createApp } from './http/app.js';
import { parseListenAddress } from './config/listen.js';
import { Drain } from './http/drain.js';
import { shutdownPlan, within } from './http/shutdown-plan.js';
import { BasicAuthenticator } from './http/basic-auth.js';
import { applyTls, clientCertificateProblem, tlsServerOptions } from './http/tls.js';
import { createGuard } from './http/web-config-guard.js';
import { loadWebConfig } from './http/web-config-load.js';
import { type WebState, WebConfigWatcher } from './http/web-config-watch.js';
import type { Logger } from './log/logger.js';
import type { VersionInfo } from './version.js';
import { clientErrorHandler } from './http/client-error.js';

export interface RunningServer {
  readonly exporter: Exporter;
  /** Bound addresses, e.g. `127.0.0.1:9104` (useful with port 0). */
  readonly urls: readonly string[];
  /** `https` when the web config file enables TLS. */
  readonly scheme: 'http' | 'https';
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
  const first = opts.config;
  let accepting = true;
  const web = first.web ?? (first.webConfigFile ? await loadWebConfig(first.webConfigFile) : undefined);
  const assembly = assemble({
    config: first,
    log,
    version: opts.version,
    ...(opts.readFile ? { readFile: opts.readFile } : {}),
    ...(opts.reloadConfig ? { reloadConfig: opts.reloadConfig } : {}),
    onConfig: async (next) => {
      opts.onConfig?.(next);
      await watcher?.check(true);
    },
  });
  const { exporter } = assembly;
  const config = () => assembly.config();
  const drain = new Drain();

  const reload = async (): Promise<string | undefined> => {
    if (!opts.reloadConfig) return 'reload is not configured';
    const reason = await assembly.reload();
    if (reason === undefined) log.info('configuration reloaded');
    else log.error('configuration reload failed; keeping the running configuration', { err: reason });
    return reason;
  };

  const app = createApp({ ...assembly.httpDeps({ ready: () => accepting }), reload, drain });

  // --web.config.file: TLS, basic auth, headers, rate limit; re-read on change, failing closed.
  const tlsAtStart = web?.tls !== undefined;
  const servers: Array<Server | HttpsServer> = [];
  const watcher = web
    ? new WebConfigWatcher(resolve(first.webConfigFile), web, {
        log,
        accept: (next) =>
          (next.tls !== undefined) !== tlsAtStart
            ? 'tls_server_config cannot be added or removed while running: restart the exporter'
            : undefined,
        apply: (next) => {
          if (!next.tls || !next.material) return;
          for (const s of servers) if ('setSecureContext' in s) applyTls(s, next.tls, next.material);
        },
      })
    : undefined;
  const webState = (): WebState => watcher?.state ?? { kind: 'ok', config: undefined };
  const authenticator = new BasicAuthenticator();
  const handler = createGuard(app, { state: webState, authenticator, log });
  // Request limits: 16 KiB of headers (431), at most 100 of them (more are dropped), 10 s to send
  // them (408; checked every second, not every 30 s), the URL and query string capped by the guard
  // (414).
  const limits = { maxHeaderSize: 16 * 1024, requestTimeout: 300_000, connectionsCheckingInterval: 1_000 };

  const urls: string[] = [];
  try {
    // systemd socket activation: the inherited descriptors replace --web.listen-address.
    const listeners: Array<
      { readonly port: number; readonly host: string | undefined } | { readonly fd: number }
    > =
      first.systemdFds.length > 0
        ? first.systemdFds.map((fd) => ({ fd }))
        : first.listenAddresses.map((raw) => {
            const addr = parseListenAddress(raw);
            if (!addr) throw new Error(`invalid listen address ${raw}`);
            return addr;
          });
    for (const addr of listeners) {
      let server: Server | HttpsServer;
      if (web?.tls && web.material) {
        const tlsServer = createHttpsServer(
          { ...limits, ...tlsServerOptions(web.tls, web.material) },
          handler,
        );
        tlsServer.on('secureConnection', (socket: TLSSocket) => {
          const st = webState();
          const tls = st.kind === 'ok' ? st.config?.tls : undefined;
          const problem = tls ? clientCertificateProblem(socket, tls) : undefined;
          if (problem) {
            log.debug('client certificate refused', { reason: problem });
            socket.destroy();
          }
        });
        tlsServer.on('tlsClientError', (err) => log.debug('TLS handshake failed', { err: err.message }));
        server = tlsServer;
      } else server = createServer(limits, handler);
      server.on('clientError', clientErrorHandler());
      server.headersTimeout = 10_000;
      server.keepAliveTimeout = 65_000;
      server.maxHeadersCount = 100;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        const done = () => {
          server.off('error', reject);
          resolve();
        };
        if ('fd' in addr) server.listen({ fd: addr.fd }, done);
        else server.listen(addr.port, addr.host, done);
      });
      server.on('error', (err) => log.error('http server error', { err: err.message }));
      servers.push(server);
      const a = server.address() as AddressInfo | string | null;
      if (a === null || typeof a === 'string') urls.push(a ?? `fd:${'fd' in addr ? addr.fd : '?'}`);
      else urls.push(a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`);
    }
  } catch (err) {
    for (const s of servers) s.close();
    await authenticator.close();
    await exporter.close();
    throw err;
  }
  watcher?.start();
  const scheme = tlsAtStart ? 'https' : 'http';
  log.info('listening', {
    addresses: urls.join(','),
    telemetry_path: first.telemetryPath,
    ...(web ? { web_config: first.webConfigFile, scheme, basic_auth: web.users.size > 0 } : {}),
  });

  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      // The whole shutdown fits in the grace (shutdown-plan.ts): drain while still listening (new
      // requests get 503, /-/ready says 503), stop the rounds in time for their callers to be answered
      // with what they have, then close the listeners and the pools, each bounded by what is left.
      const plan = shutdownPlan(config().shutdownGraceMs);
      const t0 = Date.now();
      const left = (at: number) => Math.max(0, t0 + at - Date.now());
      accepting = false;
      drain.start();
      log.info('shutting down', { grace_ms: config().shutdownGraceMs, in_flight: drain.active });
      await within(drain.idle(), left(plan.stopRoundsAtMs));
      exporter.stopRounds();
      await within(drain.idle(), left(plan.closeAtMs));
      for (const s of servers) s.close();
      for (const s of servers) s.closeAllConnections();
      watcher?.stop();
      await within(Promise.all([authenticator.close(), exporter.close()]), left(plan.graceMs));
      log.info('stopped', { ms: Date.now() - t0, unanswered: drain.active });
    })();
    return stopping;
  };
  return { exporter, urls, scheme, reload, shutdown };
}
