/** Result sets as the driver returns them. */

/** A cell as it comes from the driver (BIGINT and DECIMAL as strings; dates as strings). */
export type Cell = string | number | bigint | null;
export type Row = Readonly<Record<string, Cell>>;

export interface QueryResult {
  readonly columns: readonly string[];
  readonly rows: readonly Row[];
  /** With `maxRows`: rows the server sent past the cap, counted and not kept (absent or 0: none). */
  readonly dropped?: number;
  /** With `maxRows`: the statement was cut off before its end, so `dropped` is a lower bound. */
  readonly cutOff?: boolean;
}

export interface QueryOptions {
  /**
   * Keep the first `maxRows` rows of the statement's result, as the server streams them; the rest
   * are counted and discarded. The statement runs as written (no wrapper), so this works wherever
   * the plain statement does (a Galera node outside the Primary component refuses derived tables).
   */
  readonly maxRows?: number;
}
