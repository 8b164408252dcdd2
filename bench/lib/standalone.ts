/** Running one bench scenario on its own (`node --import tsx bench/<scenario>.ts`). */
import { log } from './log.js';

/**
 * When `filename` (the scenario's import.meta.filename) is the script node was started with: runs
 * the scenario, prints its report on stdout and exits 0, or logs the failure and exits 1.
 */
export function runIfMain(filename: string, scenario: () => Promise<string>): void {
  if (process.argv[1] !== filename) return;
  scenario().then(
    (text) => {
      process.stdout.write(`${text}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exit(1);
    },
  );
}
