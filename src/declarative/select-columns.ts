/**
 * The output column names of a SELECT when its select list states them: every item is either
 * `expr AS name` or a plain column reference (`col`, `t.col`). Anything else (`*`, an expression
 * without an alias, an alias without AS) makes the list undeterminable, and the columns are then
 * checked against the real result at run time instead.
 */
import type { Token } from './sql-lexer.js';

const MODIFIERS: ReadonlySet<string> = new Set([
  'ALL',
  'DISTINCT',
  'DISTINCTROW',
  'HIGH_PRIORITY',
  'STRAIGHT_JOIN',
  'SQL_SMALL_RESULT',
  'SQL_BIG_RESULT',
  'SQL_BUFFER_RESULT',
  'SQL_CACHE',
  'SQL_NO_CACHE',
  'SQL_CALC_FOUND_ROWS',
]);

const END_OF_LIST: ReadonlySet<string> = new Set([
  'FROM',
  'WHERE',
  'GROUP',
  'HAVING',
  'ORDER',
  'LIMIT',
  'UNION',
  'EXCEPT',
  'INTERSECT',
  'INTO',
  'FOR',
  'LOCK',
  'WINDOW',
  'PROCEDURE',
]);

const isName = (t: Token | undefined) => t !== undefined && (t.kind === 'word' || t.kind === 'quoted');

function itemName(item: readonly Token[]): string | undefined {
  const last = item[item.length - 1];
  if (!last || last.text === '*') return undefined;
  const beforeLast = item[item.length - 2];
  if (item.length >= 3 && beforeLast?.kind === 'word' && beforeLast.upper === 'AS') {
    return isName(last) || last.kind === 'string' ? last.text : undefined;
  }
  // A column reference: name, or name.name[.name]; the output column is the last part.
  for (let i = 0; i < item.length; i++) {
    const t = item[i]!;
    if (i % 2 === 0 ? !isName(t) : t.text !== '.') return undefined;
  }
  return item.length % 2 === 1 ? last.text : undefined;
}

/** Output columns of the first top-level SELECT in `tokens`, or undefined when not determinable. */
export function selectColumns(tokens: readonly Token[]): string[] | undefined {
  let depth = 0;
  let start = -1;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (depth === 0 && t.kind === 'word' && t.upper === 'SELECT') {
      start = i + 1;
      break;
    }
  }
  if (start < 0) return undefined;
  while (tokens[start]?.kind === 'word' && MODIFIERS.has(tokens[start]!.upper)) start++;
  const items: Token[][] = [[]];
  depth = 0;
  for (let i = start; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (depth === 0 && t.kind === 'word' && END_OF_LIST.has(t.upper)) break;
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    if (depth < 0) break;
    if (depth === 0 && t.text === ',') items.push([]);
    else items[items.length - 1]!.push(t);
  }
  const names: string[] = [];
  for (const item of items) {
    const name = itemName(item);
    if (name === undefined) return undefined;
    names.push(name);
  }
  return names;
}
