/** Declarative collectors: query files (YAML) -> validated specs -> Collectors. See docs/custom-queries.md. */
export { builtinQueriesDir } from './builtin-dir.js';
export { createQueryCollector, type QueryCollectorOptions } from './collector.js';
export { collectorDef, type LoadedQueries, type LoadOptions, loadQueryFiles } from './loader.js';
export { parseQueryFile, type ParsedFile } from './parse-spec.js';
export {
  QUERY_CACHE_AGE,
  QUERY_DURATION,
  QUERY_ERRORS,
  QUERY_ROWS,
} from './self-metrics.js';
export type { MetricSpec, QueryMetricType, QuerySpec, SqlVariant } from './spec.js';
export { checkStatement, type StatementCheck } from './sql-check.js';
