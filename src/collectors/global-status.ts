/**
 * `global_status`: every numeric server status variable.
 * Source: SHOW GLOBAL STATUS.
 * Not a query file: metric names and types come from the rows (one family per variable, with
 * mysqld_exporter's special families and labels).
 */
import { labelValue, parseNumber, parseStatusValue } from '../model/values.js';
import { sanitizeName } from '../model/metrics.js';
import type { Cell } from '../model/rows.js';
import type { Labels, MetricFamily, MetricType } from '../model/metrics.js';
import { defineCollector } from './collector-def.js';
import { FamilySet } from './family-set.js';

export const GLOBAL_STATUS_SQL = 'SHOW GLOBAL STATUS';

const PREFIX = 'mysql_global_status_';
const GENERIC_HELP = 'Generic metric from SHOW GLOBAL STATUS.';

/** The grouping regex, applied to the sanitised, lowercased name. */
const GROUP_RE =
  /^(com|handler|connection_errors|innodb_buffer_pool_pages|innodb_rows|performance_schema)_(.*)$/;

interface GroupFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly label: string;
}

const GROUPS: Readonly<Record<string, GroupFamily>> = {
  com: {
    name: `${PREFIX}commands_total`,
    help: 'Total number of executed MySQL commands.',
    type: 'counter',
    label: 'command',
  },
  handler: {
    name: `${PREFIX}handlers_total`,
    help: 'Total number of executed MySQL handlers.',
    type: 'counter',
    label: 'handler',
  },
  connection_errors: {
    name: `${PREFIX}connection_errors_total`,
    help: 'Total number of MySQL connection errors.',
    type: 'counter',
    label: 'error',
  },
  innodb_rows: {
    name: `${PREFIX}innodb_row_ops_total`,
    help: 'Total number of MySQL InnoDB row operations.',
    type: 'counter',
    label: 'operation',
  },
  performance_schema: {
    name: `${PREFIX}performance_schema_lost_total`,
    help: 'Total number of MySQL instrumentations that could not be loaded or created due to memory constraints.',
    type: 'counter',
    label: 'instrumentation',
  },
};

const BUFFER_POOL_PAGES: GroupFamily = {
  name: `${PREFIX}buffer_pool_pages`,
  help: 'Innodb buffer pool pages by state.',
  type: 'gauge',
  label: 'state',
};
const BUFFER_POOL_PAGE_CHANGES: GroupFamily = {
  name: `${PREFIX}buffer_pool_page_changes_total`,
  help: 'Innodb buffer pool page state changes.',
  type: 'counter',
  label: 'operation',
};
const BUFFER_POOL_DIRTY_PAGES = {
  name: `${PREFIX}buffer_pool_dirty_pages`,
  help: 'Innodb buffer pool dirty pages.',
} as const;
const BUFFER_POOL_STATES: ReadonlySet<string> = new Set(['data', 'free', 'misc', 'old']);

/** Text variables that feed the Galera metrics (kept verbatim, whether or not they parse). */
const GALERA_TEXT = ['wsrep_local_state_uuid', 'wsrep_cluster_state_uuid', 'wsrep_provider_version'] as const;
const EVS_REPL_LATENCY = 'wsrep_evs_repl_latency';
const TEXT_ITEMS: ReadonlySet<string> = new Set<string>([...GALERA_TEXT, EVS_REPL_LATENCY]);

const GALERA_STATUS_INFO = {
  name: 'mysql_galera_status_info',
  help: 'PXC/Galera status information.',
} as const;

/** `wsrep_evs_repl_latency` is `min/avg/max/stdev/sample_size`, in this order. */
const EVS_PARTS: ReadonlyArray<{ readonly name: string; readonly help: string }> = [
  {
    name: 'mysql_galera_evs_repl_latency_min_seconds',
    help: 'PXC/Galera group communication latency. Min value.',
  },
  {
    name: 'mysql_galera_evs_repl_latency_avg_seconds',
    help: 'PXC/Galera group communication latency. Avg value.',
  },
  {
    name: 'mysql_galera_evs_repl_latency_max_seconds',
    help: 'PXC/Galera group communication latency. Max value.',
  },
  {
    name: 'mysql_galera_evs_repl_latency_stdev',
    help: 'PXC/Galera group communication latency. Standard Deviation.',
  },
  {
    name: 'mysql_galera_evs_repl_latency_sample_size',
    help: 'PXC/Galera group communication latency. Sample Size.',
  },
];

/** What a status variable name maps to; the same on every scrape, so worth remembering. */
export interface StatusName {
  /** The sanitised, lowercased name. */
  readonly key: string;
  /** Undefined: the variable is not exported (`innodb_buffer_pool_pages_total`). */
  readonly family:
    | { readonly name: string; readonly type: MetricType; readonly help: string; readonly labels: Labels }
    | undefined;
}

/** Remembered names per collector instance; a server has a few hundred, this bounds a strange one. */
const MAX_REMEMBERED_NAMES = 10_000;

function classifyStatusName(rawName: string): StatusName {
  const key = sanitizeName(rawName);
  const match = GROUP_RE.exec(key);
  if (!match) return { key, family: { name: PREFIX + key, type: 'untyped', help: GENERIC_HELP, labels: {} } };
  const group = match[1] ?? '';
  const suffix = match[2] ?? '';
  if (group === 'innodb_buffer_pool_pages') {
    if (suffix === 'total') return { key, family: undefined };
    if (suffix === 'dirty') {
      const d = BUFFER_POOL_DIRTY_PAGES;
      return { key, family: { name: d.name, type: 'gauge', help: d.help, labels: {} } };
    }
    const f = BUFFER_POOL_STATES.has(suffix) ? BUFFER_POOL_PAGES : BUFFER_POOL_PAGE_CHANGES;
    return { key, family: { name: f.name, type: f.type, help: f.help, labels: { [f.label]: suffix } } };
  }
  const f = GROUPS[group];
  return {
    key,
    family: f ? { name: f.name, type: f.type, help: f.help, labels: { [f.label]: suffix } } : undefined,
  };
}

/**
 * Maps SHOW GLOBAL STATUS rows (name, value) to metric families. Exported for tests. `names`
 * remembers each variable name's mapping across scrapes (the collector keeps one).
 */
export function mapGlobalStatus(
  rows: ReadonlyArray<readonly [string, Cell | undefined]>,
  names: Map<string, StatusName> = new Map(),
): MetricFamily[] {
  const out = new FamilySet({ firstWins: true });
  const text = new Map<string, string>();
  for (const [rawName, rawValue] of rows) {
    let n = names.get(rawName);
    if (n === undefined) {
      n = classifyStatusName(rawName);
      if (names.size < MAX_REMEMBERED_NAMES) names.set(rawName, n);
    }
    if (TEXT_ITEMS.has(n.key) && !text.has(n.key)) text.set(n.key, labelValue(rawValue));
    const value = parseStatusValue(rawValue);
    if (value === undefined || n.family === undefined) continue;
    out.add(n.family.name, n.family.type, n.family.help, n.family.labels, value);
  }

  const localUuid = text.get('wsrep_local_state_uuid') ?? '';
  if (localUuid !== '') {
    const labels: Record<string, string> = {};
    for (const k of GALERA_TEXT) labels[k] = text.get(k) ?? '';
    out.add(GALERA_STATUS_INFO.name, 'gauge', GALERA_STATUS_INFO.help, labels, 1);
  }
  const latency = parseEvsReplLatency(text.get(EVS_REPL_LATENCY) ?? '');
  if (latency) {
    EVS_PARTS.forEach((part, i) => {
      const v = latency[i];
      if (v !== undefined) out.add(part.name, 'gauge', part.help, {}, v);
    });
  }
  return out.families();
}

/** `0.000200973/0.125339/1.00029/0.330702/8` -> five numbers, or undefined unless all five parse. */
export function parseEvsReplLatency(s: string): number[] | undefined {
  const parts = s.split('/');
  if (parts.length !== EVS_PARTS.length) return undefined;
  const values: number[] = [];
  for (const p of parts) {
    const n = parseNumber(p.trim());
    if (n === undefined) return undefined;
    values.push(n);
  }
  return values;
}

export const globalStatusCollector = defineCollector({
  name: 'global_status',
  help: 'Collect from SHOW GLOBAL STATUS',
  enabledByDefault: true,
  supports: { mysql: '>=5.1', mariadb: '>=5.1' },
  collect() {
    const names = new Map<string, StatusName>();
    return async (ctx) => {
      const res = await ctx.db.query(GLOBAL_STATUS_SQL);
      // Positional columns (Variable_name, Value): the header's spelling differs between servers.
      const [nameCol, valueCol] = res.columns;
      if (nameCol === undefined || valueCol === undefined) return [];
      return mapGlobalStatus(
        res.rows.map((r) => [labelValue(r[nameCol]), r[valueCol]] as const),
        names,
      );
    };
  },
});
