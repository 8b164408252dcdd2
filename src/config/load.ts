/**
 * Reads what the exporter is configured by (flags, environment, the .my.cnf) into one immutable
 * Config, with every problem found. Knows collectors only by their flag table, which the caller
 * passes in (src/assemble.ts builds collectors, targets and the exporter from the Config). Called at
 * start-up and again, unchanged, on reload. The only module that looks at the environment (injected).
 */
import { parseAddress } from '../db/address.js';
import type { ConfigProblem } from '../errors.js';
import { ConfigError } from '../errors.js';
import type { LogFormat, LogLevel } from '../log/logger.js';
import type { CollectorDef } from '../model/collector.js';
import type { FlagSpec, FlagValues } from '../model/flags.js';
import { type AllowRule, parseAllowRule } from './allow-rule.js';
import { collectorFlags, coreFlags } from './core-flags.js';
import type { DeadlineSettings } from './deadline.js';
import { DSN_ENV, parseDsn } from './dsn.js';
import { flagBool, flagNumber, flagString, flagStrings, parseFlags, renderHelp } from './flags.js';
import { parseListenAddress } from './listen.js';
import { type AuthModule, PASSWORD_ENV, loadMyCnf } from './my-cnf.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** What one scrape of one target is allowed (pool, statement and connect budgets, series cap). */
export interface ScrapeSettings {
  readonly poolSize: number;
  readonly lockWaitTimeoutSeconds: number;
  readonly logSlowFilter: boolean;
  /** Server-side backstop for one statement. */
  readonly statementTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly maxSeries: number;
}

export interface Config {
  readonly listenAddresses: readonly string[];
  /** Inherited listening sockets (--web.systemd-socket); when non-empty they replace listenAddresses. */
  readonly systemdFds: readonly number[];
  readonly telemetryPath: string;
  readonly webConfigFile: string;
  readonly log: { readonly level: LogLevel; readonly format: LogFormat };
  readonly deadline: DeadlineSettings;
  readonly shutdownGraceMs: number;
  readonly settings: ScrapeSettings;
  /** --exporter.query_timeout in ms: the budget of every collector that has none of its own; 0: none. */
  readonly collectorBudgetMs: number;
  /** Parsed flag values, read by the collectors' own option flags. */
  readonly flags: FlagValues;
  /** Collectors turned on (`--collect.<name>`, `--collect.all`), by name. */
  readonly enabled: ReadonlySet<string>;
  readonly modules: ReadonlyMap<string, AuthModule>;
  /** The /probe allow-list; empty means every probe is refused. */
  readonly probeAllow: readonly AllowRule[];
  readonly maxTargets: number;
  /** Callers that may share one in-flight round before 503. */
  readonly maxWaitingScrapes: number;
  /** --exporter.native_histograms: native histograms in protobuf responses. */
  readonly nativeHistograms: boolean;
  readonly warnings: readonly ConfigProblem[];
}

export type ParseResult =
  | { readonly kind: 'config'; readonly config: Config; readonly problems: readonly ConfigProblem[] }
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'version' };

export function helpText(specs: readonly FlagSpec[]): string {
  return `usage: mysql-exporter [<flags>]\n\nPrometheus exporter for MySQL and MariaDB (a drop-in replacement for mysqld_exporter).\n\nFlags:\n  -h, --help\n      Show this help.\n  --version\n      Show the version.\n${renderHelp(specs)}\n`;
}

/** The collectors' flags plus the core flags: the full table, for --help and the README reference. */
export function allFlagSpecs(home: string, collectors: readonly CollectorDef[]): FlagSpec[] {
  return [...coreFlags(home), ...collectorFlags(collectors)];
}

/** Pass 1: the core flags only, to learn where custom query files are (collector flags are unknown yet). */
export function queryDirs(argv: readonly string[], env: Env): readonly string[] {
  return flagStrings(parseFlags(coreFlags(env.HOME ?? ''), argv).values, 'queries.dir');
}

/**
 * Pass 2: the full flag table (the core flags and `collectors`' flags), strictly, then the option
 * file. A Config comes back with every problem found; it is only valid when there are none.
 */
export async function parseConfig(
  argv: readonly string[],
  env: Env,
  collectors: readonly CollectorDef[],
): Promise<ParseResult> {
  const home = env.HOME ?? '';
  const problems: ConfigProblem[] = [];
  const specs = allFlagSpecs(home, collectors);
  const parsed = parseFlags(specs, argv);
  if (parsed.help) return { kind: 'help', text: helpText(specs) };
  if (parsed.version) return { kind: 'version' };
  problems.push(...parsed.problems);
  const v = parsed.values;
  for (const addr of flagStrings(v, 'web.listen-address')) {
    if (!parseListenAddress(addr))
      problems.push({
        source: 'command line',
        key: '--web.listen-address',
        message: `invalid address ${JSON.stringify(addr)}`,
      });
  }
  const telemetryPath = flagString(v, 'web.telemetry-path');
  if (!telemetryPath.startsWith('/') || telemetryPath === '/')
    problems.push({
      source: 'command line',
      key: '--web.telemetry-path',
      message: 'must start with / and not be /',
    });
  // systemd socket activation (sd_listen_fds): descriptors 3 .. 3+LISTEN_FDS-1, meant for this process.
  const systemdFds: number[] = [];
  if (flagBool(v, 'web.systemd-socket')) {
    const count = Number(env.LISTEN_FDS);
    if (env.LISTEN_PID !== String(process.pid) || !Number.isInteger(count) || count < 1)
      problems.push({
        source: 'environment',
        key: '--web.systemd-socket',
        message:
          'LISTEN_PID/LISTEN_FDS do not hand this process any socket (start it from a systemd .socket unit)',
      });
    else for (let i = 0; i < count; i++) systemdFds.push(3 + i);
  }

  const probeAllow: AllowRule[] = [];
  for (const raw of flagStrings(v, 'probe.allow')) {
    const rule = parseAllowRule(raw);
    if (typeof rule === 'string')
      problems.push({ source: 'command line', key: '--probe.allow', message: rule });
    else probeAllow.push(rule);
  }

  // Credentials.
  const myCnf = flagString(v, 'config.my-cnf');
  let modules: ReadonlyMap<string, AuthModule> = new Map();
  const warnings: ConfigProblem[] = [];
  const explicitCnf = parsed.explicit.has('config.my-cnf');
  // DATA_SOURCE_NAME (mysqld_exporter <= 0.14): fills what the flags leave at their defaults.
  const dsnText = env[DSN_ENV];
  const dsnParsed = dsnText ? parseDsn(dsnText) : undefined;
  if (typeof dsnParsed === 'string')
    problems.push({ source: 'environment', key: DSN_ENV, message: dsnParsed });
  const dsn = typeof dsnParsed === 'object' ? dsnParsed : undefined;
  const address =
    dsn?.address && !parsed.explicit.has('mysqld.address')
      ? dsn.address
      : parseAddress(flagString(v, 'mysqld.address'));
  if (!address)
    problems.push({
      source: 'command line',
      key: '--mysqld.address',
      message: 'expected host:port or unix:///path',
    });
  try {
    const username =
      (!parsed.explicit.has('mysqld.username') && dsn?.user) || flagString(v, 'mysqld.username');
    const loaded = await loadMyCnf(myCnf, {
      env:
        dsn?.password !== undefined && !Object.hasOwn(env, PASSWORD_ENV)
          ? { ...env, [PASSWORD_ENV]: dsn.password }
          : env,
      optional: !explicitCnf,
      defaults: {
        ...(address ? { address } : {}),
        ...(username ? { user: username } : {}),
        tlsInsecureSkipVerify: flagBool(v, 'tls.insecure-skip-verify'),
      },
    });
    modules = loaded.modules;
    warnings.push(...loaded.warnings);
  } catch (err) {
    if (err instanceof ConfigError) problems.push(...err.problems);
    else throw err;
  }

  // --exporter.query_timeout is the budget of every collector that has none of its own (query files).
  const queryTimeout = flagNumber(v, 'exporter.query_timeout');
  const scrapeTimeout = flagNumber(v, 'exporter.scrape_timeout');
  const settings: ScrapeSettings = {
    poolSize: flagNumber(v, 'exporter.max_open_connections'),
    lockWaitTimeoutSeconds: flagBool(v, 'exporter.enable_lock_wait_timeout')
      ? flagNumber(v, 'exporter.lock_wait_timeout')
      : 0,
    logSlowFilter: flagBool(v, 'exporter.log_slow_filter'),
    statementTimeoutMs: Math.round((queryTimeout > 0 ? queryTimeout : 60) * 1000),
    connectTimeoutMs: Math.round(flagNumber(v, 'exporter.connect_timeout') * 1000),
    maxSeries: flagNumber(v, 'exporter.max_series'),
  };
  const config: Config = {
    listenAddresses: flagStrings(v, 'web.listen-address'),
    systemdFds,
    telemetryPath,
    webConfigFile: flagString(v, 'web.config.file'),
    log: {
      level: flagString(v, 'log.level') as LogLevel,
      format: flagString(v, 'log.format') as LogFormat,
    },
    deadline: {
      defaultSeconds: scrapeTimeout,
      offsetSeconds: flagNumber(v, 'timeout-offset'),
      maxSeconds: scrapeTimeout,
    },
    shutdownGraceMs: Math.round(flagNumber(v, 'exporter.shutdown_grace') * 1000),
    settings,
    collectorBudgetMs: Math.round(queryTimeout * 1000),
    flags: v,
    enabled: enabledCollectors(collectors, v, parsed.explicit),
    modules,
    warnings,
    probeAllow,
    maxTargets: flagNumber(v, 'probe.max_targets'),
    maxWaitingScrapes: flagNumber(v, 'exporter.max_waiting_scrapes'),
    nativeHistograms: flagBool(v, 'exporter.native_histograms'),
  };
  return { kind: 'config', config, problems };
}

/** `--collect.<name>` decides; `--collect.all` turns on every collector not explicitly turned off. */
function enabledCollectors(
  collectors: readonly CollectorDef[],
  v: FlagValues,
  explicit: ReadonlySet<string>,
): Set<string> {
  const all = flagBool(v, 'collect.all');
  const enabled = new Set<string>();
  for (const d of collectors) {
    const flag = `collect.${d.name}`;
    const on = flagBool(v, flag);
    if (on || (all && !explicit.has(flag))) enabled.add(d.name);
  }
  return enabled;
}
