import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  FLEET_LAUNCH_FLAGS,
  LAUNCH_FLAGS,
  RUNTIME_FLAGS,
  launchFlags,
  runtimeFlags,
} from '../../../src/runtime/v8-tuning.js';

const ROOT = new URL('../../..', import.meta.url).pathname;

test('runtime flags: set unless node was given them (either spelling) or --optimize-for-size', () => {
  assert.deepEqual(runtimeFlags([]), [...RUNTIME_FLAGS]);
  assert.deepEqual(runtimeFlags(['--import', 'tsx', '--max-semi-space-size=4']), [...RUNTIME_FLAGS]);
  assert.deepEqual(runtimeFlags(['--heap-growing-percent=100']), []);
  assert.deepEqual(runtimeFlags(['--heap_growing_percent=100']), []);
  assert.deepEqual(runtimeFlags(['--optimize-for-size']), []);
});

test('launch flags: no launcher passes them (the command picks them); the shebang stays portable (busybox env has no -S)', () => {
  const shebang = readFileSync(`${ROOT}src/cli.ts`, 'utf8').split('\n')[0];
  assert.equal(shebang, '#!/usr/bin/env node');
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> };
  // exec: npm signals the shell it starts; the shell must be the exporter, or SIGTERM stops only the shell.
  assert.equal(pkg.scripts.start, 'exec node dist/src/cli.js');
});

test("launch flags: a sidecar's unless the command allows /probe targets", () => {
  assert.deepEqual(launchFlags([]), LAUNCH_FLAGS);
  assert.deepEqual(launchFlags(['--config.my-cnf=/x', '--collect.info_schema.tables']), LAUNCH_FLAGS);
  assert.deepEqual(launchFlags(['--probe.allow=']), LAUNCH_FLAGS, 'empty: /probe stays closed');
  assert.deepEqual(launchFlags(['--probe.allow', '--web.listen-address=:1']), LAUNCH_FLAGS);
  assert.deepEqual(launchFlags(['--probe.allow=10.0.0.0/8:3306']), FLEET_LAUNCH_FLAGS);
  assert.deepEqual(launchFlags(['--web.listen-address=:1', '--probe.allow', '*']), FLEET_LAUNCH_FLAGS);
  assert.notDeepEqual(FLEET_LAUNCH_FLAGS, LAUNCH_FLAGS);
});
