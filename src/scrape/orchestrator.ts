/**
 * One scrape of one target: server info (-> mysql_up), then the selected collectors under one
 * concurrency bound, each with its own error boundary and time budget. Returns plain data; the HTTP
 * layer renders it.
 */
import { defaultMaxListeners, setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import { CollectorError, DeadlineError, errorMessage } from '../errors.js';
import type { ServerInfo } from '../model/server-info.js';
import type { Logger } from '../log/logger.js';
import { isBatchable } from '../model/batchable.js';
import type { Collector, Db } from '../model/collector.js';
import type { MetricFamily } from '../model/metrics.js';
import { mergeOutcomes } from './merge.js';
import type { CollectorOutcome, ScrapeResult } from './result.js';
import { validateFamilies } from './validate.js';

/** What the orchestrator needs of a target: satisfied by db/Target, and by fakes in unit tests. */
export interface ScrapeTarget {
  readonly key: string;
  serverInfo(signal: AbortSignal): Promise<ServerInfo>;
  /** `batched`: the statements may share one multi-statement round trip (db/batch.ts). */
  db(signal: AbortSignal, batched?: boolean): Db;
  /** False when statements went out since `t` (performance.now()) and nothing came back; absent: true. */
  answeredSince?(t: number): boolean;
  /**
   * Makes sure one of the exporter's own statements goes out during a scrape that started at `t`,
   * for answeredSince to judge by (statements of query files do not count: they may run until the
   * deadline).
   */
  ensureAsked?(t: number, signal: AbortSignal): void;
}

export interface ScrapeOptions {
  readonly target: ScrapeTarget;
  readonly collectors: readonly Collector[];
  readonly signal: AbortSignal;
  readonly concurrency: number;
  readonly maxSeries: number;
  readonly log: Logger;
  /** Identity for per-target state such as query caches (auth module + address); defaults to target.key. */
  readonly targetId?: string;
}

/** Rejects when `signal` aborts, so that no awaited work can outlive the deadline. */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new DeadlineError('deadline exceeded'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new DeadlineError('deadline exceeded'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

export async function scrape(opts: ScrapeOptions): Promise<ScrapeResult> {
  const { target, signal, log } = opts;
  const t0 = process.hrtime.bigint();
  const startedAt = performance.now();
  let server: ServerInfo;
  try {
    server = await raceAbort(target.serverInfo(signal), signal);
  } catch (err) {
    const error = errorMessage(err);
    log.error('connection failed', { target: target.key, err: error });
    return {
      up: false,
      connectSeconds: seconds(t0),
      error,
      outcomes: [],
      families: [],
    };
  }
  const connectSeconds = seconds(t0);
  const limit = pLimit(Math.max(1, opts.concurrency));
  const runnable = opts.collectors.filter((c) => c.supports(server));
  // Batchable collectors all start at once (their statements share one round trip); the others
  // (custom query files) share the pool, at most `concurrency` at a time. Each running collector
  // and each of its statements listens on the scrape's signal.
  setMaxListeners(Math.max(defaultMaxListeners, 4 * runnable.length + 10), signal);
  const running = Promise.all(
    runnable.map((c) =>
      isBatchable(c) ? runCollector(c, server, opts) : limit(() => runCollector(c, server, opts)),
    ),
  );
  // Only the exporter's own statements judge liveness (below): a scrape with query files may have
  // none of them (no built-in collector, or all served from a cache).
  if (target.ensureAsked && runnable.some((c) => !isBatchable(c))) target.ensureAsked(startedAt, signal);
  const outcomes = await running;
  // The server info came from the session's handshake: a scrape that reached its deadline without
  // the server sending anything is down (a frozen server behind an open session answers nothing).
  // One slow statement past its collector's own budget is not.
  if (signal.aborted && target.answeredSince && !target.answeredSince(startedAt)) {
    const error = `the server sent nothing during the scrape (${outcomes.find((o) => o.error)?.error ?? 'no answer'})`;
    log.error('connection failed', { target: target.key, err: error });
    return { up: false, connectSeconds: seconds(t0), error, outcomes: [], families: [] };
  }
  const merged = mergeOutcomes(outcomes);
  merged.outcomes.forEach((o, i) => {
    if (!o.success && outcomes[i]?.success)
      log.error('collector failed', { collector: o.name, target: target.key, err: o.error });
  });
  return {
    up: true,
    connectSeconds,
    server,
    outcomes: merged.outcomes,
    families: merged.families,
  };
}

async function runCollector(
  c: Collector,
  server: ServerInfo,
  opts: ScrapeOptions,
): Promise<CollectorOutcome> {
  const start = process.hrtime.bigint();
  // A ref'd timer (AbortSignal.timeout is unref'd and would not keep a bare process alive).
  const budget = new AbortController();
  const timer =
    c.timeoutMs !== undefined && c.timeoutMs > 0
      ? setTimeout(
          () => budget.abort(new DeadlineError(`collector timeout of ${c.timeoutMs} ms exceeded`)),
          c.timeoutMs,
        )
      : undefined;
  const signal = timer === undefined ? opts.signal : AbortSignal.any([opts.signal, budget.signal]);
  try {
    if (signal.aborted) throw new DeadlineError('deadline exceeded before the collector started');
    const families = await raceAbort(
      c.collect({
        db: opts.target.db(signal, isBatchable(c)),
        server,
        signal,
        log: opts.log,
        targetKey: opts.targetId ?? opts.target.key,
      }),
      signal,
    );
    validateFamilies(families, opts.maxSeries);
    return { name: c.name, success: true, durationSeconds: seconds(start), families };
  } catch (err) {
    const error = errorMessage(err);
    opts.log.error('collector failed', { collector: c.name, target: opts.target.key, err: error });
    // What a failed collector still reports about itself (e.g. its error counter), if it is valid.
    let families: readonly MetricFamily[] = err instanceof CollectorError ? err.families : [];
    try {
      validateFamilies(families, opts.maxSeries);
    } catch {
      families = [];
    }
    return { name: c.name, success: false, durationSeconds: seconds(start), error, families };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
