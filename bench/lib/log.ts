/** Progress lines on stderr, with the seconds since the benchmark started. */
const started = performance.now();

export function log(line: string): void {
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);
}
