/**
 * Every way of starting the command gets the same V8 sizing, chosen from its own arguments
 * (`launchFlags`: a sidecar's, or a fleet's when it probes targets). The image, `npm start` and the
 * command installed by npm (its `#!/usr/bin/env node` shebang: busybox env has no `-S`) all start
 * node without them. Then the command replaces its own process image with `node <missing launch flags> <node's own
 * flags> <script> <arguments>` (`process.execve`: the same PID, stdio, environment and signals, so
 * supervisors and `kill` see one process). Launch flags the user gave node, on its command line or in
 * NODE_OPTIONS, in either spelling, are kept and never added twice.
 *
 * Node releases without process.execve (before 22.15 and 23.11) start without the flags, as before, and
 * so does a systemd socket-activated start (LISTEN_FDS): put the flags in the unit's ExecStart.
 */
import { LAUNCH_FLAGS, flagName, launchFlags } from './v8-tuning.js';

/** The launch flags that node was not started with (command line or NODE_OPTIONS). */
export function missingLaunchFlags(
  execArgv: readonly string[],
  nodeOptions: string | undefined,
  wanted: readonly string[] = LAUNCH_FLAGS,
): string[] {
  const given = new Set(
    [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].map(flagName).filter((n) => n !== undefined),
  );
  return wanted.filter((f) => !given.has(flagName(f)!));
}

/** argv for execve: node, the missing flags, node's own flags, the script and its arguments. */
export function relaunchArgv(
  execPath: string,
  missing: readonly string[],
  execArgv: readonly string[],
  argv: readonly string[],
): string[] {
  return [execPath, ...missing, ...execArgv, ...argv.slice(1)];
}

export interface RelaunchProcess {
  readonly execPath: string;
  readonly execArgv: readonly string[];
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly execve?: (file: string, args?: readonly string[], env?: NodeJS.ProcessEnv) => never;
}

/**
 * Relaunches with the missing launch flags when it can (and then does not return). Returns why it did
 * not: 'complete' (nothing missing), 'unsupported' (no process.execve), 'socket-activated'
 * (LISTEN_FDS set) or 'failed' (execve refused).
 */
export function relaunchWithLaunchFlags(
  proc: RelaunchProcess,
): 'complete' | 'unsupported' | 'failed' | 'socket-activated' {
  const missing = missingLaunchFlags(proc.execArgv, proc.env.NODE_OPTIONS, launchFlags(proc.argv.slice(2)));
  if (missing.length === 0 || proc.argv[1] === undefined) return 'complete';
  // systemd socket activation: the inherited listening descriptors do not survive execve in a usable
  // state; such a unit passes the flags in its ExecStart line instead.
  if (proc.env.LISTEN_FDS !== undefined) return 'socket-activated';
  if (typeof proc.execve !== 'function') return 'unsupported';
  try {
    proc.execve(proc.execPath, relaunchArgv(proc.execPath, missing, proc.execArgv, proc.argv), proc.env);
  } catch {
    // e.g. a seccomp profile that forbids execve: run on without the flags.
  }
  return 'failed';
}
