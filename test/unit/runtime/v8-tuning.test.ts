import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { LAUNCH_FLAGS, RUNTIME_FLAGS, runtimeFlags } from '../../../src/runtime/v8-tuning.js';

const ROOT = new URL('../../..', import.meta.url).pathname;

test('runtime flags: set unless node was given them (either spelling) or --optimize-for-size', () => {
  assert.deepEqual(runtimeFlags([]), [...RUNTIME_FLAGS]);
  assert.deepEqual(runtimeFlags(['--import', 'tsx', '--max-semi-space-size=4']), [...RUNTIME_FLAGS]);
  assert.deepEqual(runtimeFlags(['--heap-growing-percent=100']), []);
  assert.deepEqual(runtimeFlags(['--heap_growing_percent=100']), []);
  assert.deepEqual(runtimeFlags(['--optimize-for-size']), []);
});

test('launch flags: `npm start` carries them; the shebang stays portable (busybox env has no -S)', () => {
  const shebang = readFileSync(`${ROOT}src/cli.ts`, 'utf8').split('\n')[0];
  assert.equal(shebang, '#!/usr/bin/env node');
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> };
  assert.equal(pkg.scripts.start, `node ${LAUNCH_FLAGS.join(' ')} dist/src/cli.js`);
});
