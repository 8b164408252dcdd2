/**
 * The explicit list of hand-written collectors, in a fixed order. Declarative collectors (plain
 * row-to-metric mappings) live in `queries/*.yaml` and are loaded by `declarative/`.
 */
import type { CollectorDef } from './collector-def.js';
import { globalStatusCollector } from './global-status.js';
import { globalVariablesCollector } from './global-variables.js';
import { queryResponseTimeCollector } from './query-response-time.js';
import { slaveStatusCollector } from './slave-status.js';

export const BUILTIN_COLLECTORS: readonly CollectorDef[] = [
  globalStatusCollector,
  globalVariablesCollector,
  slaveStatusCollector,
  queryResponseTimeCollector,
];
