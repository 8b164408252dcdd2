/**
 * The embeddable core: the current configuration snapshot (swapped whole on reload), the long-lived
 * target pools and the single-flight table. `scrape()` is what /metrics and /probe call; it knows
 * nothing of HTTP.
 */
import { ExporterError, errorMessage } from './errors.js';
import { missingPrivileges } from './db/grants.js';
import type { ScrapeSettings } from './config/load.js';
import type { ServerInfo } from './model/server-info.js';
import type { Address } from './db/address.js';
import type { AuthExtras } from './db/auth-extras.js';
import { DEFAULT_MAX_TARGETS, type RegistryStats, TargetRegistry } from './db/target-registry.js';
import type { Credentials } from './db/target-options.js';
import type { Target } from './db/target.js';
import type { Logger } from './log/logger.js';
import { Lru } from './lru.js';
import type { ScrapeResult } from './scrape/result.js';
import { scrape } from './scrape/orchestrator.js';
import { selectCollectors } from './scrape/select.js';
import { SingleFlight } from './scrape/single-flight.js';
import type { Collector } from './model/collector.js';

/** One credentials section of the .my.cnf (`client`, `client.<name>`). */
export interface AuthModuleLike {
  readonly name: string;
  readonly address: Address;
  readonly credentials: Credentials;
  /** Pinned RSA public key for full authentication without verified TLS (docs/security.md). */
  readonly serverPublicKeyPath?: string;
  /** `enable-cleartext-plugin`; mysql_clear_password still needs verified TLS or a socket. */
  readonly allowCleartext?: boolean;
  /** get-server-public-key, aws-iam-auth, cloud-sql-proxy (src/db/auth-extras.ts). */
  readonly auth?: AuthExtras;
}

export interface ExporterState {
  readonly settings: ScrapeSettings;
  readonly modules: ReadonlyMap<string, AuthModuleLike>;
  /** Every known collector, in output order. */
  readonly collectors: readonly Collector[];
  readonly enabled: ReadonlySet<string>;
}

export interface ScrapeRequest {
  readonly module: string;
  /** Defaults to the module's own address (the /metrics case). */
  readonly address?: Address;
  readonly collect?: readonly string[];
  readonly signal: AbortSignal;
  readonly deadlineMs: number;
}

export class UnknownModuleError extends ExporterError {
  constructor(module: string) {
    super('UNKNOWN_AUTH_MODULE', `unknown auth_module ${JSON.stringify(module.slice(0, 64))}`);
  }
}

export interface ExporterOptions {
  readonly log: Logger;
  readonly readFile?: (path: string) => Buffer;
  readonly maxTargets?: number;
  readonly maxWaitersPerTarget?: number;
}

/** The last scrape of one target, for the landing page. */
export interface LastScrape {
  readonly target: string;
  readonly module: string;
  readonly at: Date;
  readonly up: boolean;
  readonly error?: string;
  readonly collectors: ReadonlyArray<{
    readonly name: string;
    readonly success: boolean;
    readonly durationSeconds: number;
    readonly error?: string;
  }>;
}

export class Exporter {
  private snapshot: ExporterState;
  private readonly last: Lru<LastScrape>;
  /** Targets whose account privileges have been checked (once per pool). */
  /** Per target: the collectors whose privileges were already checked. */
  private readonly grantsChecked = new WeakMap<Target, Set<string>>();
  private readonly targets: TargetRegistry;
  private readonly flights: SingleFlight<ScrapeResult>;
  private readonly log: Logger;
  private readonly readFile: ((path: string) => Buffer) | undefined;

  constructor(state: ExporterState, opts: ExporterOptions) {
    this.snapshot = state;
    this.log = opts.log;
    this.readFile = opts.readFile;
    this.targets = new TargetRegistry({
      maxTargets: opts.maxTargets ?? DEFAULT_MAX_TARGETS,
      idleMs: 10 * 60_000,
      log: opts.log,
    });
    this.flights = new SingleFlight(opts.maxWaitersPerTarget ?? 256);
    this.last = new Lru(opts.maxTargets ?? DEFAULT_MAX_TARGETS);
  }

  /** The most recent scrape of each target, newest first (bounded like the target pools). */
  lastScrapes(): LastScrape[] {
    return [...this.last].map(([, v]) => v).reverse();
  }

  private remember(module: string, target: string, r: ScrapeResult): void {
    this.last.set(`${module}@${target}`, {
      target,
      module,
      at: new Date(),
      up: r.up,
      ...(r.error === undefined ? {} : { error: r.error }),
      collectors: r.outcomes.map((o) => ({
        name: o.name,
        success: o.success,
        durationSeconds: o.durationSeconds,
        ...(o.error === undefined ? {} : { error: o.error }),
      })),
    });
  }

  get state(): ExporterState {
    return this.snapshot;
  }

  /** Swaps the configuration; pools are rebuilt when credentials or pool settings may have changed. */
  async replaceState(next: ExporterState): Promise<void> {
    const prev = this.snapshot;
    this.snapshot = next;
    if (prev.modules !== next.modules || prev.settings !== next.settings) await this.targets.closeAll();
  }

  /** Validates the collector selection without touching the database (400 on unknown names). */
  select(collect: readonly string[] | undefined): Collector[] {
    return selectCollectors(this.snapshot.collectors, this.snapshot.enabled, collect);
  }

  async scrape(req: ScrapeRequest): Promise<ScrapeResult> {
    const state = this.snapshot;
    const module = state.modules.get(req.module);
    if (!module) throw new UnknownModuleError(req.module);
    const collectors = this.select(req.collect);
    const address = req.address ?? module.address;
    const s = state.settings;
    const target = this.targets.get(module.name, address, () => ({
      address,
      credentials: module.credentials,
      ...(module.serverPublicKeyPath ? { serverPublicKeyPath: module.serverPublicKeyPath } : {}),
      allowCleartext: module.allowCleartext === true,
      ...(module.auth ? { auth: module.auth } : {}),
      poolSize: s.poolSize,
      lockWaitTimeoutSeconds: s.lockWaitTimeoutSeconds,
      logSlowFilter: s.logSlowFilter,
      statementTimeoutMs: s.statementTimeoutMs,
      // Never wait on a connect longer than the scrape may last.
      connectTimeoutMs: Math.max(100, Math.min(s.connectTimeoutMs, req.deadlineMs - 50)),
      log: this.log,
      ...(this.readFile ? { readFile: this.readFile } : {}),
    }));
    const key = `${TargetRegistry.key(module.name, address)}|${collectors.map((c) => c.name).join(',')}`;
    return this.flights.join(key, req.signal, req.deadlineMs, async (signal) => {
      const result = await scrape({
        target,
        collectors,
        signal,
        concurrency: target.poolSize,
        maxSeries: s.maxSeries,
        log: this.log,
        targetId: TargetRegistry.key(module.name, address),
      });
      this.remember(module.name, target.key, result);
      if (result.up && result.server) {
        const seen = this.grantsChecked.get(target) ?? new Set<string>();
        this.grantsChecked.set(target, seen);
        const fresh = collectors.map((c) => c.name).filter((n) => !seen.has(n));
        if (fresh.length > 0 || seen.size === 0) {
          const first = seen.size === 0;
          for (const n of fresh) seen.add(n);
          void this.checkGrants(target, result.server, new Set(fresh), first);
        }
      }
      return result;
    });
  }

  /**
   * Logs each privilege the account lacks for `collectors` (not checked before on this target) on this
   * server (a degraded view is never silent).
   */
  private async checkGrants(
    target: Target,
    server: ServerInfo,
    collectors: ReadonlySet<string>,
    first: boolean,
  ): Promise<void> {
    try {
      const res = await target.db(AbortSignal.timeout(5000), true).query('SHOW GRANTS');
      const lines = res.rows.map((r) => String(Object.values(r)[0] ?? ''));
      for (const need of missingPrivileges(lines, server, collectors)) {
        if (need.collectors === undefined && !first) continue;
        this.log.warn('the exporter account lacks a recommended privilege', {
          target: target.key,
          privilege: need.privilege,
          effect: need.why,
        });
      }
      this.log.debug('grants checked', { target: target.key, collectors: collectors.size });
    } catch (err) {
      this.log.debug('could not read the account grants', { target: target.key, err: errorMessage(err) });
    }
  }

  /** Shutdown: every round in flight stops and answers with what it has. */
  stopRounds(): void {
    this.flights.abortAll();
  }

  /** Target pools, sessions, churn (self-metrics). */
  targetStats(): RegistryStats {
    return this.targets.stats();
  }

  /** Rounds in flight right now (self-metric). */
  get inFlight(): number {
    return this.flights.inFlight;
  }

  async close(): Promise<void> {
    await this.targets.closeAll();
  }
}
