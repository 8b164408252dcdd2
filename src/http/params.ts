/**
 * Query-string parameters arrive as string, string[] or (with some parsers) objects. Only plain,
 * bounded strings are accepted; anything else is a 400 before any work is done.
 */
import { ExporterError } from '../errors.js';
export class BadParamError extends ExporterError {
  constructor(message: string) {
    super('BAD_PARAM', message);
  }
}

const MAX_VALUE = 256;
const MAX_REPEAT = 64;

/** A single optional string parameter. */
export function singleParam(query: unknown, name: string): string | undefined {
  const v = (query as Record<string, unknown> | undefined)?.[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string')
    throw new BadParamError(`parameter ${name} must be given once, as a plain string`);
  if (v.length > MAX_VALUE) throw new BadParamError(`parameter ${name} is too long`);
  return v;
}

/** A repeatable string parameter such as collect[]. */
export function listParam(query: unknown, name: string): string[] | undefined {
  const v = (query as Record<string, unknown> | undefined)?.[name];
  if (v === undefined) return undefined;
  const list = Array.isArray(v) ? v : [v];
  if (list.length > MAX_REPEAT) throw new BadParamError(`parameter ${name} is repeated too often`);
  for (const x of list) {
    if (typeof x !== 'string') throw new BadParamError(`parameter ${name} must be plain strings`);
    if (x.length > MAX_VALUE) throw new BadParamError(`parameter ${name} is too long`);
  }
  return list as string[];
}
