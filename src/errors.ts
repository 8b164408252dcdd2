/** Typed errors: one base with a stable `code`, subclasses carry context. Messages never contain secrets. */
import type { MetricFamily } from './model/metrics.js';
export class ExporterError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** One problem in a configuration source, with where it was found. */
export interface ConfigProblem {
  readonly source: string;
  readonly line?: number;
  readonly key?: string;
  readonly message: string;
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.line === undefined ? p.source : `${p.source}:${p.line}`;
  const key = p.key === undefined ? '' : ` ${p.key}:`;
  return `${where}:${key} ${p.message}`;
}

/** Every problem found while reading flags, files and environment, reported at once. */
export class ConfigError extends ExporterError {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[]) {
    super('CONFIG_INVALID', problems.map(formatProblem).join('\n'));
    this.problems = problems;
  }
}

/** A query failed on the server or in the driver. `serverCode` is the MySQL error name when known. */
export class QueryError extends ExporterError {
  readonly serverCode: string | undefined;
  constructor(message: string, serverCode: string | undefined, options?: { cause?: unknown }) {
    super('QUERY_FAILED', message, options);
    this.serverCode = serverCode;
  }
}

/** A query or scrape ran out of its time budget, or its caller went away. */
export class DeadlineError extends ExporterError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DEADLINE_EXCEEDED', message, options);
  }
}

/** The server could not be reached or refused the credentials. */
export class ConnectError extends ExporterError {
  readonly serverCode: string | undefined;
  constructor(message: string, serverCode: string | undefined, options?: { cause?: unknown }) {
    super('CONNECT_FAILED', message, options);
    this.serverCode = serverCode;
  }
}

/**
 * A collector failed (series cap, invalid output, a refused query). `families` are what it still
 * reports about itself (e.g. its error counter), exported next to `collector_success 0`.
 */
export class CollectorError extends ExporterError {
  readonly families: readonly MetricFamily[];
  constructor(message: string, options?: { cause?: unknown; families?: readonly MetricFamily[] }) {
    super('COLLECTOR_FAILED', message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.families = options?.families ?? [];
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
