/**
 * V8 heap settings for the `mysql-exporter` command (never applied when embedded: the host app owns
 * its runtime). Node's defaults suit a throughput server, not a small sidecar: the young generation
 * grows to 2 x 16 MiB, and after each full GC the old generation may grow to up to 4x what was live,
 * so one scrape with every collector on (12 MB of output) peaked at 220 MiB RSS.
 *
 * - LAUNCH_FLAGS are read by V8 once, when the process starts: the image's ENTRYPOINT and `npm start`
 *   pass them (tests hold both to this list). Not the shebang: `#!/usr/bin/env -S node ...` fails
 *   with busybox env (Alpine), so the installed command, started without them, relaunches itself
 *   with them (src/runtime/relaunch.ts).
 * - RUNTIME_FLAGS are read at every GC, so the command sets them itself at start-up.
 *
 * Flags given to node on its command line (`node --heap-growing-percent=100 dist/src/cli.js`) win
 * over RUNTIME_FLAGS. A launch flag on the command line also wins over NODE_OPTIONS: to change the
 * image's, override its entrypoint.
 */
export const LAUNCH_FLAGS = ['--max-semi-space-size=4'] as const;

/** Old generation limit after a full GC: 1.5x what was live (instead of up to 4x). */
export const RUNTIME_FLAGS = ['--heap-growing-percent=50'] as const;

/** `--max_semi_space_size=8` and `--max-semi-space-size 8` name the same flag. */
function flagName(arg: string): string | undefined {
  if (!arg.startsWith('--')) return undefined;
  return arg.slice(2).split('=')[0]!.replace(/_/g, '-');
}

/** The runtime flags to set: those the user did not give node (`process.execArgv`). */
export function runtimeFlags(execArgv: readonly string[]): string[] {
  const given = new Set(execArgv.map(flagName).filter((n) => n !== undefined));
  // --optimize-for-size picks its own growing factor.
  if (given.has('optimize-for-size')) return [];
  return RUNTIME_FLAGS.filter((f) => !given.has(flagName(f)!));
}
