#!/usr/bin/env node
/**
 * The `mysql-exporter` command. No launcher passes V8 flags: the command picks them from its own
 * arguments (`launchFlags` in src/runtime/v8-tuning.ts: a sidecar's, or a fleet's with --probe.allow)
 * and relaunches itself with them in place first (src/runtime/relaunch.ts), before loading the rest
 * of the program.
 */
import { setFlagsFromString } from 'node:v8';
import { relaunchWithLaunchFlags } from './runtime/relaunch.js';
import { runtimeFlags } from './runtime/v8-tuning.js';

relaunchWithLaunchFlags(process);
const { main } = await import('./main.js');

const v8Flags = runtimeFlags(process.execArgv);
for (const f of v8Flags) setFlagsFromString(f);

process.on('uncaughtException', (err) => {
  // Last line of defence: log without details that could carry secrets, keep serving.
  process.stderr.write(`level=error msg="uncaught exception" err=${JSON.stringify(err.message)}\n`);
});

process.on('unhandledRejection', (reason) => {
  process.stderr.write(
    `level=error msg="unhandled rejection" err=${JSON.stringify(reason instanceof Error ? reason.message : String(reason))}\n`,
  );
});

main({
  argv: process.argv.slice(2),
  v8Flags,
  env: process.env,
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
}).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`mysql-exporter: fatal: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
