/**
 * A QuerySpec -> a Collector. One statement per scrape (the first SQL variant that supports the
 * server), mapped by `mapping.ts`. With `min_interval`, a result is served from a per-target cache
 * until it is that old; an expired entry is refreshed by one run that concurrent scrapes share.
 * Failed runs are not cached. `timeout` becomes the collector's `timeoutMs`: the orchestrator aborts
 * the signal and the target kills the statement on the server.
 */
import { DeadlineError, errorMessage, QueryError } from '../errors.js';
import { type ServerInfo, supportPredicate } from '../model/server-info.js';
import type { CollectContext, Collector } from '../model/collector.js';
import type { MetricFamily } from '../model/metrics.js';
import { CollectorError } from '../errors.js';
import { mapResult } from './mapping.js';
import { QUERY_ERRORS, selfMetricFamilies } from './self-metrics.js';
import type { QuerySpec, SqlVariant } from './spec.js';
import { Lru, PER_TARGET_MAX } from '../lru.js';
import { RowLimitReporter, rowsDroppedFamily } from '../collectors/row-limit.js';
import { type Run, type TargetState, freshState } from './target-state.js';

export interface QueryCollectorOptions {
  /** Emit the per-query self-metrics (see self-metrics.ts). Default true. */
  readonly selfMetrics?: boolean;
  /** Monotonic clock in ms; tests inject a fake one. Default `performance.now()`. */
  readonly clock?: () => number;
}

const MISSING_TABLE_CODES: ReadonlySet<string> = new Set([
  'ER_NO_SUCH_TABLE',
  'ER_UNKNOWN_TABLE',
  'ER_BAD_TABLE_ERROR',
]);

function isMissingTable(err: unknown): boolean {
  const code =
    err instanceof QueryError ? err.serverCode : (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && MISSING_TABLE_CODES.has(code);
}

export function createQueryCollector(spec: QuerySpec, opts: QueryCollectorOptions = {}): Collector {
  const clock = opts.clock ?? (() => performance.now());
  const selfMetrics = opts.selfMetrics ?? true;
  const states = new Lru<TargetState>(PER_TARGET_MAX);
  const limit = new RowLimitReporter(spec.name, 'max_rows in its query file');
  const variants = spec.sql.map((v) => ({ v, test: v.supports ? supportPredicate(v.supports) : () => true }));
  const serverOk = supportPredicate(spec.supports);
  const variantFor = (s: ServerInfo): SqlVariant | undefined => variants.find((x) => x.test(s))?.v;

  async function execute(ctx: CollectContext, state: TargetState): Promise<Run> {
    const startedAt = clock();
    const variant = variantFor(ctx.server);
    if (!variant) return { families: [], startedAt, durationSeconds: 0, rows: 0, dropped: 0 };
    try {
      let families: MetricFamily[] = [];
      let rows = 0;
      let dropped = 0;
      try {
        // The statement runs as written; rows past max_rows are read, counted and left out, so the
        // first max_rows rows in the statement's own order are served (ORDER BY makes it a top-N).
        const result = await ctx.db.query(variant.sql, [], { maxRows: spec.maxRows });
        rows = result.rows.length;
        dropped = result.dropped ?? 0;
        limit.note(ctx.log, ctx.targetKey, { kept: rows, dropped, atLeast: result.cutOff === true });
        const mapped = mapResult(spec, result);
        families = mapped.families;
        if (mapped.skipped > 0) {
          ctx.log.debug('non-numeric values skipped', {
            collector: spec.name,
            count: mapped.skipped,
            columns: mapped.skippedColumns.join(','),
          });
        }
      } catch (err) {
        if (!(spec.missingTable === 'empty' && isMissingTable(err))) throw err;
      }
      const run: Run = { families, startedAt, durationSeconds: (clock() - startedAt) / 1000, rows, dropped };
      if (spec.minIntervalMs > 0) state.last = run;
      return run;
    } catch (err) {
      state.errors++;
      if (err instanceof DeadlineError) throw err;
      // The error counter goes out with this failure, not only with the next success.
      const families = selfMetrics
        ? selfMetricFamilies(spec.name, {
            durationSeconds: 0,
            rows: 0,
            errors: state.errors,
            cacheAgeSeconds: undefined,
          }).filter((f) => f.name === QUERY_ERRORS)
        : [];
      if (err instanceof CollectorError) throw new CollectorError(err.message, { cause: err, families });
      throw new CollectorError(`query failed: ${errorMessage(err)}`, { cause: err, families });
    }
  }

  function output(state: TargetState, run: Run): MetricFamily[] {
    if (!selfMetrics) return [...run.families];
    const cacheAgeSeconds =
      spec.minIntervalMs > 0 ? Math.max(0, (clock() - run.startedAt) / 1000) : undefined;
    return [
      ...run.families,
      ...selfMetricFamilies(spec.name, {
        durationSeconds: run.durationSeconds,
        rows: run.rows,
        errors: state.errors,
        cacheAgeSeconds,
      }),
      rowsDroppedFamily(spec.name, run.dropped),
    ];
  }

  async function collect(ctx: CollectContext): Promise<MetricFamily[]> {
    const state = states.get(ctx.targetKey) ?? states.set(ctx.targetKey, freshState());
    if (spec.minIntervalMs <= 0) return output(state, await execute(ctx, state));
    const last = state.last;
    if (last && clock() - last.startedAt < spec.minIntervalMs) return output(state, last);
    if (!state.inflight) {
      const p = execute(ctx, state);
      state.inflight = p;
      const clear = () => {
        if (state.inflight === p) state.inflight = undefined;
      };
      p.then(clear, clear);
    }
    return output(state, await state.inflight);
  }

  return {
    name: spec.name,
    help: spec.help,
    enabledByDefault: spec.enabledByDefault,
    supports: (s) => serverOk(s) && variantFor(s) !== undefined,
    collect,
    ...(spec.timeoutMs === undefined ? {} : { timeoutMs: spec.timeoutMs }),
  };
}
