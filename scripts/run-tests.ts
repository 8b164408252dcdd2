/**
 * Runs the test files with Node's own test runner.
 * `run-tests.ts` runs everything; `run-tests.ts unit`, `integration` or `fault` runs one folder
 * (the soak rows are not tests: `npm run test:soak`).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const folders = process.argv.length > 2 ? process.argv.slice(2) : ['unit', 'integration', 'fault'];
const files: string[] = [];
const walk = (dir: string) => {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts')) files.push(p);
  }
};
for (const f of folders) walk(join('test', f));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(res.status ?? 1);
