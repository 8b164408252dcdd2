/** The statements every new pooled connection runs before it is used. */

export interface SessionSettings {
  readonly mariadb: boolean;
  /** Seconds; 0 leaves the server default. */
  readonly lockWaitTimeoutSeconds: number;
  /** Server-side bound for one statement, ms; 0 leaves the server default. */
  readonly statementTimeoutMs: number;
  /** mysqld_exporter's --exporter.log_slow_filter (MariaDB and Percona Server only). */
  readonly logSlowFilter?: boolean;
}

/** The statements every new pooled connection runs before it is used. */
export function sessionStatements(s: SessionSettings): string[] {
  const settings: string[] = [];
  if (s.lockWaitTimeoutSeconds > 0) settings.push(`lock_wait_timeout=${Math.ceil(s.lockWaitTimeoutSeconds)}`);
  if (s.statementTimeoutMs > 0) {
    settings.push(
      s.mariadb
        ? `max_statement_time=${(s.statementTimeoutMs / 1000).toFixed(3)}`
        : `max_execution_time=${Math.ceil(s.statementTimeoutMs)}`,
    );
  }
  const out = ['SET SESSION TRANSACTION READ ONLY'];
  if (settings.length > 0) out.push(`SET SESSION ${settings.join(', ')}`);
  // Its own statement: Oracle MySQL has no such variable, and that failure must not undo the others.
  if (s.logSlowFilter) out.push("SET SESSION log_slow_filter = 'tmp_table_on_disk,filesort_on_disk'");
  return out;
}
