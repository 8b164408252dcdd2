/**
 * Rules that span files: collector names and metric names are unique across every loaded file,
 * built-in ones included, and do not reuse the names of hand-written collectors or their metrics.
 */
import type { ConfigProblem } from '../errors.js';
import type { QuerySpec } from './spec.js';
import { quoteName } from './yaml-reader.js';

export interface Reserved {
  /** Names of hand-written collectors. */
  readonly collectors: ReadonlySet<string>;
  /** Metric names that hand-written collectors emit. */
  readonly metrics: ReadonlySet<string>;
}

const at = (source: string, line: number | undefined) => (line === undefined ? source : `${source}:${line}`);

export function crossCheck(specs: readonly QuerySpec[], reserved: Reserved): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const collectors = new Map<string, string>();
  const metrics = new Map<string, string>();
  for (const spec of specs) {
    const where = (line: number | undefined) => ({
      source: spec.source,
      ...(line === undefined ? {} : { line }),
    });
    if (reserved.collectors.has(spec.name)) {
      problems.push({
        ...where(spec.line),
        key: 'name',
        message: `${quoteName(spec.name)} is a built-in collector`,
      });
    } else {
      const first = collectors.get(spec.name);
      if (first !== undefined) {
        problems.push({
          ...where(spec.line),
          key: 'name',
          message: `collector ${quoteName(spec.name)} is already defined in ${first}`,
        });
      } else collectors.set(spec.name, at(spec.source, spec.line));
    }
    spec.metrics.forEach((m, i) => {
      if (reserved.metrics.has(m.name)) {
        problems.push({
          ...where(m.line),
          key: `metrics[${i}].name`,
          message: `metric ${quoteName(m.name)} is exported by a built-in collector`,
        });
        return;
      }
      const first = metrics.get(m.name);
      if (first !== undefined) {
        problems.push({
          ...where(m.line),
          key: `metrics[${i}].name`,
          message: `metric ${quoteName(m.name)} is already defined in ${first}`,
        });
      } else metrics.set(m.name, at(spec.source, m.line));
    });
  }
  return problems;
}
