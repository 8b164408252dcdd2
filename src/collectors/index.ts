/**
 * The explicit list of hand-written collectors, in a fixed order. Declarative collectors (plain
 * row-to-metric mappings) live in `queries/*.yaml` and are loaded by `declarative/`.
 */
import type { CollectorDef } from './collector-def.js';

export const BUILTIN_COLLECTORS: readonly CollectorDef[] = [];
