/**
 * `binlog_size`: the combined size, count and last number of the binary log files.
 * Source: SELECT @@log_bin, then SHOW BINARY LOGS.
 * Not a query file: the second statement depends on the first, and the file number is parsed out of the
 * last file name.
 */
import { CollectorError } from '../errors.js';
import type { MetricFamily } from '../model/metrics.js';
import type { QueryResult } from '../model/rows.js';
import { labelValue, parseNumber } from '../model/values.js';
import { defineCollector } from './collector-def.js';

const NAME = 'binlog_size';
const HELP = 'Collect the current size of all registered binlog files';

export const LOG_BIN_SQL = 'SELECT @@log_bin AS log_bin';
export const BINARY_LOGS_SQL = 'SHOW BINARY LOGS';

/** The numeric suffix after the last dot of a binlog file name (`mysql-bin.000042` -> 42). */
export function fileNumber(name: string): number | undefined {
  const dot = name.lastIndexOf('.');
  if (dot < 0) return undefined;
  return parseNumber(name.slice(dot + 1));
}

export function binlogFamilies(res: QueryResult): MetricFamily[] {
  if (res.columns.length < 2 || res.columns.length > 3) {
    throw new CollectorError(
      `${NAME}: SHOW BINARY LOGS returned ${res.columns.length} columns, expected 2 or 3`,
    );
  }
  const [nameCol, sizeCol] = res.columns as [string, string];
  let size = 0;
  let last = '';
  for (const row of res.rows) {
    size += parseNumber(row[sizeCol]) ?? 0;
    last = labelValue(row[nameCol]);
  }
  const families: MetricFamily[] = [
    {
      name: 'mysql_binlog_size_bytes',
      help: 'Combined size of all registered binlog files.',
      type: 'gauge',
      samples: [{ labels: {}, value: size }],
    },
    {
      name: 'mysql_binlog_files',
      help: 'Number of registered binlog files.',
      type: 'gauge',
      samples: [{ labels: {}, value: res.rows.length }],
    },
  ];
  const number = fileNumber(last);
  if (number !== undefined) {
    families.push({
      name: 'mysql_binlog_file_number',
      help: 'The last binlog file number.',
      type: 'gauge',
      samples: [{ labels: {}, value: number }],
    });
  }
  return families;
}

function logBinOn(v: QueryResult['rows'][number][string] | undefined): boolean {
  const s = labelValue(v).toUpperCase();
  return s === '1' || s === 'ON';
}

export const binlogSize = defineCollector({
  name: NAME,
  help: HELP,
  enabledByDefault: false,
  supports: { mysql: '>=5.1', mariadb: '>=5.1' },
  collect: () => async (ctx) => {
    const gate = await ctx.db.query(LOG_BIN_SQL);
    if (!logBinOn(gate.rows[0]?.log_bin)) return [];
    return binlogFamilies(await ctx.db.query(BINARY_LOGS_SQL));
  },
});
