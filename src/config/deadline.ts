/** The scrape deadline settings (`--exporter.scrape_timeout`, `--timeout-offset`); src/http/deadline.ts applies them. */
export interface DeadlineSettings {
  /** Used when the header is absent or unusable, seconds. */
  readonly defaultSeconds: number;
  readonly offsetSeconds: number;
  /** Upper bound for any header value, seconds. */
  readonly maxSeconds: number;
}
