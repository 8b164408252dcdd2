/**
 * The statement allow-list for query files: exactly one read-only statement, starting with SELECT,
 * SHOW or WITH (... SELECT). Refused anywhere in the code (comments that the server executes count
 * as code): a second statement, data or schema changes, `INTO` (OUTFILE, DUMPFILE, variables),
 * locking reads (`FOR UPDATE`, `FOR SHARE`, `LOCK IN SHARE MODE`), and the few functions that write
 * or take locks (`LOAD_FILE`, `GET_LOCK`, sequences). The session is read-only as well (db/target.ts);
 * this check is the first of the two fences, and the one that reports a file and line.
 */
import { lex, SqlLexError, type Token } from './sql-lexer.js';
import { selectColumns } from './select-columns.js';

export type StatementCheck =
  | { readonly ok: true; readonly columns: readonly string[] | undefined }
  | { readonly ok: false; readonly reason: string };

const FIRST_WORDS: ReadonlySet<string> = new Set(['SELECT', 'SHOW', 'WITH']);

/** Words that never belong in a read-only query, wherever they appear. */
const FORBIDDEN: ReadonlySet<string> = new Set([
  'ALTER',
  'CALL',
  'CREATE',
  'DEALLOCATE',
  'DELETE',
  'DROP',
  'DUMPFILE',
  'EXECUTE',
  'FLUSH',
  'GRANT',
  'HANDLER',
  'INSTALL',
  'INTO',
  'KILL',
  'LOAD',
  'LOCK',
  'OUTFILE',
  'PREPARE',
  'PURGE',
  'RENAME',
  'RESET',
  'REVOKE',
  'SHARE',
  'SHUTDOWN',
  'UNINSTALL',
  'UNLOCK',
  'UPDATE',
]);

/** Statement words that are also harmless functions: allowed only as a call, `INSERT(str, ...)`. */
const FUNCTION_ONLY: ReadonlySet<string> = new Set(['INSERT', 'REPLACE', 'TRUNCATE']);

/** Functions that write, take locks or read server files. */
const FORBIDDEN_FUNCTIONS: ReadonlySet<string> = new Set([
  'GET_LOCK',
  'LOAD_FILE',
  'NEXTVAL',
  'RELEASE_ALL_LOCKS',
  'RELEASE_LOCK',
  'SETVAL',
]);

function refuse(reason: string): StatementCheck {
  return { ok: false, reason };
}

function forbiddenWord(tokens: readonly Token[]): string | undefined {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'word') continue;
    const callsNext = tokens[i + 1]?.text === '(';
    if (FORBIDDEN.has(t.upper)) return t.upper;
    if (FUNCTION_ONLY.has(t.upper) && !callsNext) return t.upper;
    if (FORBIDDEN_FUNCTIONS.has(t.upper) && callsNext) return `${t.upper}()`;
    if (t.upper === 'NEXT' && tokens[i + 1]?.upper === 'VALUE') return 'NEXT VALUE FOR';
  }
  return undefined;
}

function hasTopLevelSelect(tokens: readonly Token[]): boolean {
  let depth = 0;
  for (const t of tokens) {
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (depth === 0 && t.kind === 'word' && t.upper === 'SELECT') return true;
  }
  return false;
}

/** Checks one SQL text; on success returns the output column names when the select list says them. */
export function checkStatement(sql: string): StatementCheck {
  let tokens: Token[];
  try {
    tokens = lex(sql);
  } catch (err) {
    if (err instanceof SqlLexError) return refuse(err.message);
    throw err;
  }
  const last = tokens[tokens.length - 1];
  if (last?.kind === 'punct' && last.text === ';') tokens = tokens.slice(0, -1);
  if (tokens.length === 0) return refuse('the statement is empty');
  if (tokens.some((t) => t.kind === 'punct' && t.text === ';')) {
    return refuse('only one statement is allowed (found a ";" followed by more SQL)');
  }
  const first = tokens[0]!;
  if (first.kind !== 'word' || !FIRST_WORDS.has(first.upper)) {
    return refuse('only SELECT, SHOW and WITH ... SELECT statements are allowed');
  }
  if (first.upper === 'WITH' && !hasTopLevelSelect(tokens)) {
    return refuse('a WITH statement must end in a SELECT');
  }
  const bad = forbiddenWord(tokens);
  if (bad !== undefined) {
    return refuse(`${bad} is not allowed in a read-only query (quote a column of that name with backticks)`);
  }
  if (first.upper === 'SHOW') return { ok: true, columns: undefined };
  return { ok: true, columns: selectColumns(tokens) };
}
