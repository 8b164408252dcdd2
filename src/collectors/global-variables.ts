/**
 * `global_variables`: every numeric server variable, and version and other info families.
 * Source: SHOW GLOBAL VARIABLES.
 * Not a query file: metric names come from the rows, and some variables become info or version families.
 */
import { labelValue, parseStatusValue } from '../model/values.js';
import { sanitizeName } from '../model/metrics.js';
import type { Cell } from '../model/rows.js';
import type { MetricFamily, Sample } from '../model/metrics.js';
import { defineCollector } from './collector-def.js';

export const GLOBAL_VARIABLES_SQL = 'SHOW GLOBAL VARIABLES';

const PREFIX = 'mysql_global_variables_';
const GENERIC_HELP = 'Generic gauge metric from SHOW GLOBAL VARIABLES.';

/** Text variables kept verbatim (whether or not they also parse as numbers). */
const TEXT_ITEMS: ReadonlySet<string> = new Set([
  'innodb_version',
  'version',
  'version_comment',
  'wsrep_cluster_name',
  'wsrep_provider_options',
  'transaction_isolation',
  'tx_isolation',
]);

/** `gcache.size = 128M;` inside wsrep_provider_options (the `;` is absent when it is the last option). */
const GCACHE_SIZE_RE = /(?:^|;)\s*gcache\.size\s*=\s*(\d+(?:\.\d+)?)\s*([KMGT]?)\s*(?:;|$)/i;
const UNIT: Readonly<Record<string, number>> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** Bytes of `gcache.size` in a Galera provider options string; undefined when absent or malformed. */
export function parseGcacheSize(options: string): number | undefined {
  const m = GCACHE_SIZE_RE.exec(options);
  if (!m) return undefined;
  const factor = UNIT[(m[2] ?? '').toUpperCase()];
  const n = Number(m[1]);
  if (factor === undefined || !Number.isFinite(n)) return undefined;
  return n * factor;
}

/** A variable name's sanitised key and metric name; the same on every scrape. */
export interface VariableName {
  readonly key: string;
  readonly name: string;
}

/** One shared, frozen empty label set for the ~600 unlabelled samples of a scrape. */
const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

/** Remembered names per collector instance; a server has a few hundred, this bounds a strange one. */
const MAX_REMEMBERED_NAMES = 10_000;

/**
 * Maps SHOW GLOBAL VARIABLES rows (name, value) to metric families. Exported for tests. `names`
 * remembers each variable name's mapping across scrapes (the collector keeps one).
 */
export function mapGlobalVariables(
  rows: ReadonlyArray<readonly [string, Cell | undefined]>,
  names: Map<string, VariableName> = new Map(),
): MetricFamily[] {
  const out: MetricFamily[] = [];
  const seen = new Set<string>();
  const text = new Map<string, string>();
  for (const [rawName, rawValue] of rows) {
    let n = names.get(rawName);
    if (n === undefined) {
      const k = sanitizeName(rawName);
      n = { key: k, name: PREFIX + k };
      if (names.size < MAX_REMEMBERED_NAMES) names.set(rawName, n);
    }
    const { key, name } = n;
    if (TEXT_ITEMS.has(key) && !text.has(key)) text.set(key, labelValue(rawValue));
    const value = parseStatusValue(rawValue);
    if (value === undefined) continue;
    if (seen.has(name)) continue;
    seen.add(name);
    out.push({ name, help: GENERIC_HELP, type: 'gauge', samples: [{ labels: NO_LABELS, value }] });
  }

  const info = (name: string, help: string, samples: Sample[]): MetricFamily => ({
    name,
    help,
    type: 'gauge',
    samples,
  });
  out.push(
    info('mysql_version_info', 'MySQL version and distribution.', [
      {
        labels: {
          innodb_version: text.get('innodb_version') ?? '',
          version: text.get('version') ?? '',
          version_comment: text.get('version_comment') ?? '',
        },
        value: 1,
      },
    ]),
  );
  const clusterName = text.get('wsrep_cluster_name') ?? '';
  if (clusterName !== '') {
    out.push(
      info('mysql_galera_variables_info', 'PXC/Galera variables information.', [
        { labels: { wsrep_cluster_name: clusterName }, value: 1 },
      ]),
    );
  }
  const gcache = parseGcacheSize(text.get('wsrep_provider_options') ?? '');
  if (gcache !== undefined) {
    out.push(
      info('mysql_galera_gcache_size_bytes', 'PXC/Galera gcache size.', [{ labels: {}, value: gcache }]),
    );
  }
  const level = text.get('transaction_isolation') || text.get('tx_isolation') || '';
  if (level !== '') {
    out.push(
      info('mysql_transaction_isolation', 'MySQL transaction isolation.', [{ labels: { level }, value: 1 }]),
    );
  }
  return out;
}

export const globalVariablesCollector = defineCollector({
  name: 'global_variables',
  help: 'Collect from SHOW GLOBAL VARIABLES',
  enabledByDefault: true,
  supports: { mysql: '>=5.1', mariadb: '>=5.1' },
  collect() {
    const names = new Map<string, VariableName>();
    return async (ctx) => {
      const res = await ctx.db.query(GLOBAL_VARIABLES_SQL);
      // Positional columns (Variable_name, Value): the header's spelling differs between servers.
      const [nameCol, valueCol] = res.columns;
      if (nameCol === undefined || valueCol === undefined) return [];
      return mapGlobalVariables(
        res.rows.map((r) => [labelValue(r[nameCol]), r[valueCol]] as const),
        names,
      );
    };
  },
});
