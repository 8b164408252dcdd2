import type { FlagSpec, FlagValues } from '../config/flags.js';
import type { Collector } from '../scrape/types.js';

/**
 * A built-in collector as registered: its `--collect.<name>` flag is generated from `name` and
 * `enabledByDefault`; `flags` are its option flags (e.g. `collect.info_schema.processlist.min_time`),
 * whose parsed values `create` receives.
 */
export interface CollectorDef {
  readonly name: string;
  readonly help: string;
  readonly enabledByDefault: boolean;
  readonly flags?: readonly FlagSpec[];
  create(flags: FlagValues): Collector;
}
