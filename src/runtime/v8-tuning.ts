/**
 * V8 heap settings for the `mysql-exporter` command (never applied when embedded: the host app owns
 * its runtime). Node's defaults suit a throughput server, not a small sidecar: the young generation
 * grows to 2 x 16 MiB, and after each full GC the old generation may grow to up to 4x what was live,
 * so one scrape with every collector on (12 MB of output) peaked at 220 MiB RSS.
 *
 * - Launch flags are read by V8 once, when the process starts, and depend on the command's own
 *   arguments (`launchFlags`: a sidecar's or a fleet's). So no launcher passes them: the image's
 *   ENTRYPOINT, `npm start` and the installed command start `node dist/src/cli.js`, which relaunches
 *   itself in place with them (src/runtime/relaunch.ts). Not the shebang either: `#!/usr/bin/env -S
 *   node ...` fails with busybox env (Alpine).
 * - RUNTIME_FLAGS are read at every GC, so the command sets them itself at start-up.
 *
 * Flags given to node on its command line (`node --heap-growing-percent=100 dist/src/cli.js`) win
 * over RUNTIME_FLAGS. A launch flag on the command line also wins over NODE_OPTIONS: to change the
 * image's, override its entrypoint.
 */
export const LAUNCH_FLAGS = ['--max-semi-space-size=4'] as const;

/**
 * For an exporter that probes other targets (`--probe.allow` given): a young generation of 32 MiB
 * semi-spaces. Many scrapes in flight keep their rows and families alive across a 4 MiB scavenge,
 * which copies and promotes them; at 1,000 targets (bench/fleet.ts, canned database) CPU per scrape
 * fell from 12.9 to 9.9 ms and p50 from 29 to 16 ms, for 25 MiB more RSS.
 */
export const FLEET_LAUNCH_FLAGS = ['--max-semi-space-size=32'] as const;

/** Whether the command line allows /probe targets (`--probe.allow=X` or `--probe.allow X`, X not empty). */
function probesTargets(args: readonly string[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--probe.allow=')) {
      if (a.length > '--probe.allow='.length) return true;
    } else if (a === '--probe.allow') {
      const v = args[i + 1];
      if (v !== undefined && v !== '' && !v.startsWith('--')) return true;
    }
  }
  return false;
}

/** The launch flags for the command's own arguments: the fleet's when it probes targets. */
export function launchFlags(args: readonly string[]): readonly string[] {
  return probesTargets(args) ? FLEET_LAUNCH_FLAGS : LAUNCH_FLAGS;
}

/** Old generation limit after a full GC: 1.5x what was live (instead of up to 4x). */
export const RUNTIME_FLAGS = ['--heap-growing-percent=50'] as const;

/** `--max_semi_space_size=8` and `--max-semi-space-size 8` name the same flag. */
export function flagName(arg: string): string | undefined {
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
