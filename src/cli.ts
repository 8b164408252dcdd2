#!/usr/bin/env node
/** The `mysql-exporter` command. */
import { main } from './main.js';

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
