/**
 * The exporter's own flags. Names and defaults follow mysqld_exporter (and the Debian 0.14 build)
 * where they exist; flags marked "(ours)" are additions. Collector flags are generated from the
 * collector definitions (see collectorFlags).
 */
import type { CollectorDef } from '../model/collector.js';
import type { FlagSpec } from '../model/flags.js';

export function coreFlags(home: string): FlagSpec[] {
  return [
    {
      name: 'web.listen-address',
      kind: 'strings',
      default: [':9104'],
      placeholder: 'ADDR',
      help: 'Addresses on which to expose metrics and web interface. Repeatable for multiple addresses.',
    },
    {
      name: 'web.telemetry-path',
      kind: 'string',
      default: '/metrics',
      placeholder: 'PATH',
      help: 'Path under which to expose metrics.',
    },
    {
      name: 'web.config.file',
      kind: 'string',
      default: '',
      placeholder: 'FILE',
      help: 'Path to a web configuration file (exporter-toolkit format) that can enable TLS or authentication.',
    },
    {
      name: 'web.systemd-socket',
      kind: 'bool',
      default: false,
      help: 'Use systemd socket activation listeners (LISTEN_FDS) instead of port listeners (Linux only).',
    },
    {
      name: 'timeout-offset',
      kind: 'float',
      default: 0.25,
      min: 0,
      placeholder: 'SECONDS',
      help: 'Offset to subtract from the Prometheus scrape timeout, in seconds.',
    },
    {
      name: 'exporter.scrape_timeout',
      kind: 'duration',
      default: 10,
      min: 0.1,
      placeholder: 'DURATION',
      help: '(ours) Scrape deadline used when the request carries no valid X-Prometheus-Scrape-Timeout-Seconds header; also the upper bound for the header.',
    },
    {
      name: 'config.my-cnf',
      kind: 'string',
      default: `${home}/.my.cnf`,
      placeholder: 'FILE',
      help: 'Path to .my.cnf file to read MySQL credentials from.',
    },
    {
      name: 'mysqld.address',
      kind: 'string',
      default: 'localhost:3306',
      placeholder: 'HOST:PORT',
      help: 'Address to use for connecting to MySQL when the [client] section has no host/port/socket.',
    },
    {
      name: 'mysqld.username',
      kind: 'string',
      default: '',
      placeholder: 'USER',
      help: 'Username to use for connecting to MySQL when the [client] section has no user.',
    },
    {
      name: 'tls.insecure-skip-verify',
      kind: 'bool',
      default: false,
      help: 'Ignore certificate and server verification when using a TLS connection.',
    },
    {
      name: 'exporter.lock_wait_timeout',
      kind: 'int',
      default: 2,
      min: 0,
      placeholder: 'SECONDS',
      help: 'Set a lock_wait_timeout (in seconds) on the connection to avoid long metadata locking.',
    },
    {
      name: 'exporter.enable_lock_wait_timeout',
      kind: 'bool',
      default: true,
      help: 'Set lock_wait_timeout on the connection.',
    },
    {
      name: 'exporter.log_slow_filter',
      kind: 'bool',
      default: false,
      help: 'Add a log_slow_filter to avoid slow query logging of scrapes (Percona Server and MariaDB only).',
    },
    {
      name: 'exporter.query_timeout',
      kind: 'duration',
      default: 0,
      min: 0,
      placeholder: 'DURATION',
      help: 'Time budget of each collector within a scrape; 0 means bounded by the scrape deadline only. Also the server-side statement bound (max_statement_time / max_execution_time), 60s when 0.',
    },
    {
      name: 'exporter.max_open_connections',
      kind: 'int',
      default: 2,
      min: 1,
      placeholder: 'N',
      help: 'Maximum number of open connections per target; also the number of collectors run at once.',
    },
    {
      name: 'exporter.native_histograms',
      kind: 'bool',
      default: false,
      help: "(ours) Also send the servers' own latency histograms (query_response_time, perf_schema.events_statements_histogram) as native histograms to scrapers that negotiate protobuf; the classic buckets stay.",
    },
    {
      name: 'exporter.max_series',
      kind: 'int',
      default: 1000000,
      min: 1,
      placeholder: 'N',
      help: '(ours) Maximum number of series one collector may return; a collector over it fails alone.',
    },
    {
      name: 'exporter.max_waiting_scrapes',
      kind: 'int',
      default: 256,
      min: 1,
      placeholder: 'N',
      help: '(ours) Scrapes of one target and collector set that may wait on one shared database round; more get 503 at once.',
    },
    {
      name: 'exporter.connect_timeout',
      kind: 'duration',
      default: 5,
      min: 0.1,
      placeholder: 'DURATION',
      help: '(ours) Timeout for opening a database connection (always capped below the scrape deadline).',
    },
    {
      name: 'exporter.shutdown_grace',
      kind: 'duration',
      default: 10,
      min: 0,
      placeholder: 'DURATION',
      help: '(ours) On SIGTERM/SIGINT, how long in-flight scrapes may take before the process exits.',
    },
    {
      name: 'queries.dir',
      kind: 'strings',
      default: [],
      placeholder: 'DIR',
      help: '(ours) Directory of custom query files (*.yaml); repeatable. Each query is a collector.',
    },
    {
      name: 'probe.allow',
      kind: 'strings',
      default: [],
      placeholder: 'PATTERN',
      help: '(ours) Targets /probe may connect to: host:port, *.domain[:port], CIDR[:port] or unix:///path; repeatable. Without any, /probe refuses every target.',
    },
    {
      name: 'probe.max_targets',
      kind: 'int',
      default: 10000,
      min: 1,
      placeholder: 'N',
      help: '(ours) Maximum number of target pools kept open (about 25 KiB and one database session each when idle); past it the least recently used is closed, counted in mysql_exporter_target_pool_evictions_total{reason="limit"} and logged.',
    },
    {
      name: 'collect.all',
      kind: 'bool',
      default: false,
      help: '(ours) Enable every collector (an explicit --no-collect.<name> still disables one).',
    },
    {
      name: 'log.level',
      kind: 'enum',
      default: 'info',
      choices: ['debug', 'info', 'warn', 'error'],
      placeholder: 'LEVEL',
      help: 'Only log messages with the given severity or above. One of: [debug, info, warn, error]',
    },
    {
      name: 'log.format',
      kind: 'enum',
      default: 'logfmt',
      choices: ['logfmt', 'json'],
      placeholder: 'FORMAT',
      help: 'Output format of log messages. One of: [logfmt, json]',
    },
  ];
}

/** `--collect.<name>` for every collector, followed by its option flags. */
export function collectorFlags(defs: readonly CollectorDef[]): FlagSpec[] {
  const out: FlagSpec[] = [];
  for (const d of defs) {
    out.push({ name: `collect.${d.name}`, kind: 'bool', default: d.enabledByDefault, help: d.help });
    for (const f of d.flags ?? []) out.push(f);
  }
  return out;
}
