/** Result sets as the driver returns them. */

/** A cell as it comes from the driver (BIGINT and DECIMAL as strings; dates as strings). */
export type Cell = string | number | bigint | null;
export type Row = Readonly<Record<string, Cell>>;

export interface QueryResult {
  readonly columns: readonly string[];
  readonly rows: readonly Row[];
}
