/**
 * Captured result sets (test/fixtures, provenance in its README) as QueryResults, and a recording
 * fake Db that answers by matching SQL. For unit tests of collectors only; integration tests use a
 * real server.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseServerInfo, type ServerInfo } from '../../src/model/server-info.js';
import { silentLogger } from '../../src/log/logger.js';
import type { ScrapeResult } from '../../src/scrape/result.js';
import { scrape } from '../../src/scrape/orchestrator.js';
import type { Cell, QueryOptions, QueryResult, Row } from '../../src/model/rows.js';
import type { CollectContext, Collector, Db } from '../../src/model/collector.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

function unescapeField(field: string): Cell {
  if (field === '\\N') return null;
  return field.replace(/\\(\\|t|n)/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : '\\'));
}

/** Reads `<server>/<file>.tsv` (mysql --batch escaping, `\N` is NULL). */
export function loadTsv(relPath: string): QueryResult {
  const text = readFileSync(join(FIXTURES, relPath), 'utf8');
  const lines = text.split('\n').filter((l, i, all) => l.length > 0 || i < all.length - 1);
  const columns = (lines.shift() ?? '').split('\t');
  const rows: Row[] = lines.map((line) => {
    const cells = line.split('\t');
    const row: Record<string, Cell> = {};
    columns.forEach((c, i) => {
      row[c] = unescapeField(cells[i] ?? '');
    });
    return row;
  });
  return { columns, rows };
}

export function loadText(relPath: string): string {
  return readFileSync(join(FIXTURES, relPath), 'utf8');
}

export function server(version: string, comment = ''): ServerInfo {
  const info = parseServerInfo(version, comment);
  if (!info) throw new Error(`bad version ${version}`);
  return info;
}

export const MYSQL_57 = () => server('5.7.44-log', 'MySQL Community Server (GPL)');
export const MYSQL_80 = () => server('8.0.30', 'MySQL Community Server - GPL');
export const MYSQL_84 = () => server('8.4.3', 'MySQL Community Server - GPL');
export const PERCONA_80 = () => server('8.0.32-24', 'Percona Server (GPL), Release 24, Revision e5c6e9d2');
export const MARIADB_108 = () => server('10.8.4-MariaDB', 'Source distribution');
export const MARIADB_1011 = () => server('10.11.19-MariaDB-0+deb12u1', 'Debian 12');
export const MARIADB_114 = () => server('11.4.5-MariaDB', 'MariaDB Server');

export type Responder = QueryResult | Error | ((params: readonly unknown[]) => QueryResult);

/** A Db that answers queries whose SQL matches a pattern, and records every statement it was sent. */
export class FakeDb implements Db {
  readonly sent: Array<{ sql: string; params: readonly unknown[] }> = [];
  constructor(private readonly answers: ReadonlyArray<readonly [RegExp, Responder]>) {}
  async query(sql: string, params: readonly unknown[] = [], opts: QueryOptions = {}): Promise<QueryResult> {
    this.sent.push({ sql, params });
    for (const [re, answer] of this.answers) {
      if (!re.test(sql)) continue;
      if (answer instanceof Error) throw answer;
      const res = typeof answer === 'function' ? answer(params) : answer;
      // As Target does: the first maxRows rows are kept, the others counted.
      const max = opts.maxRows;
      if (max === undefined || res.rows.length <= max) return res;
      return { columns: res.columns, rows: res.rows.slice(0, max), dropped: res.rows.length - max };
    }
    throw new Error(`FakeDb: no answer for ${sql}`);
  }
}

export function context(db: Db, info: ServerInfo): CollectContext {
  return {
    db,
    server: info,
    signal: new AbortController().signal,
    log: silentLogger(),
    targetKey: 'test:3306',
  };
}

/** Builds a QueryResult from column names and rows of cells. */
export function result(columns: readonly string[], rows: ReadonlyArray<readonly Cell[]>): QueryResult {
  return {
    columns,
    rows: rows.map((cells) => Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? null]))),
  };
}

/** One scrape of one collector through the real orchestrator (version gates, validation) on a fake Db. */
export function scrapeOnce(
  collector: Collector,
  info: ServerInfo,
  db: Db,
  maxSeries = 1000,
  targetKey = 'test:3306',
): Promise<ScrapeResult> {
  return scrape({
    target: { key: targetKey, serverInfo: async () => info, db: () => db },
    collectors: [collector],
    signal: new AbortController().signal,
    concurrency: 1,
    maxSeries,
    log: silentLogger(),
  });
}

/** The `le` values of the query_response_time plugin's default buckets (range_base=10), as Go formats them. */
export const QRT_RANGE_BASE_10_LES: readonly string[] = [
  '1e-06',
  '1e-05',
  '0.0001',
  '0.001',
  '0.01',
  '0.1',
  '1',
  '10',
  '100',
  '1000',
  '10000',
  '100000',
  '1e+06',
];
