/**
 * Temporary directories for tests. Each one is created under os.tmpdir() and removed when the test
 * process exits, whether its tests passed, failed or threw (Node runs every test file in its own
 * process), unless the test removed it before. A test may still remove its directory earlier; that
 * is harmless. Nothing a test run creates stays behind in /tmp.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const created = new Set<string>();
const exitHooks = new Set<() => void>();
let hooked = false;

function runExitHooks(): void {
  for (const hook of exitHooks) {
    try {
      hook();
    } catch {
      // best effort: the process is exiting
    }
  }
  for (const dir of created) rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', runExitHooks);
}

/** A new empty directory `<tmpdir>/<prefix>XXXXXX`, removed at the latest when the process exits. */
export function tempDir(prefix: string): string {
  hook();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.add(dir);
  return dir;
}

/** Removes a directory made by tempDir() now. */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  created.delete(dir);
}

/**
 * Runs `fn` (synchronously) when the process exits, before the temporary directories are removed:
 * for child processes that must not outlive a test file that failed before stopping them.
 * Returns a function that cancels it.
 */
export function onProcessExit(fn: () => void): () => void {
  hook();
  exitHooks.add(fn);
  return () => exitHooks.delete(fn);
}
