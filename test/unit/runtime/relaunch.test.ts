import assert from 'node:assert/strict';
import { test } from 'node:test';
import { missingLaunchFlags, relaunchArgv, relaunchWithLaunchFlags } from '../../../src/runtime/relaunch.js';
import { FLEET_LAUNCH_FLAGS, LAUNCH_FLAGS } from '../../../src/runtime/v8-tuning.js';

test('missing launch flags: all without any; none when given on the command line or in NODE_OPTIONS', () => {
  assert.deepEqual(missingLaunchFlags([], undefined), [...LAUNCH_FLAGS]);
  assert.deepEqual(missingLaunchFlags(['--import', 'tsx'], ''), [...LAUNCH_FLAGS]);
  assert.deepEqual(missingLaunchFlags(['--max-semi-space-size=4'], undefined), []);
  assert.deepEqual(missingLaunchFlags(['--max_semi_space_size=16'], undefined), [], 'user value kept');
  assert.deepEqual(missingLaunchFlags([], '--enable-source-maps  --max-semi-space-size=8'), []);
});

test('relaunch argv: node, the missing flags, node flags, the script and its arguments, in order', () => {
  assert.deepEqual(
    relaunchArgv(
      '/usr/bin/node',
      ['--max-semi-space-size=4'],
      ['--import', 'tsx'],
      ['/usr/bin/node', '/x/cli.js', '--web.listen-address=:1', '--'],
    ),
    [
      '/usr/bin/node',
      '--max-semi-space-size=4',
      '--import',
      'tsx',
      '/x/cli.js',
      '--web.listen-address=:1',
      '--',
    ],
  );
});

test('relaunch: execve with the same environment when flags are missing; never when they are given', () => {
  const calls: Array<{ file: string; args: readonly string[] | undefined; env: unknown }> = [];
  const env = { NODE_OPTIONS: '', X: '1' };
  const execve = ((file: string, args?: readonly string[], e?: NodeJS.ProcessEnv) => {
    calls.push({ file, args, env: e });
    throw new Error('stub: execve does not return');
  }) as (file: string, args?: readonly string[], env?: NodeJS.ProcessEnv) => never;
  const base = { execPath: '/n', argv: ['/n', '/cli.js', '-x'], env, execve };
  assert.equal(relaunchWithLaunchFlags({ ...base, execArgv: [] }), 'failed');
  assert.deepEqual(calls, [{ file: '/n', args: ['/n', ...LAUNCH_FLAGS, '/cli.js', '-x'], env }]);
  assert.equal(relaunchWithLaunchFlags({ ...base, execArgv: [...LAUNCH_FLAGS] }), 'complete');
  assert.equal(calls.length, 1);
  assert.equal(
    relaunchWithLaunchFlags({ ...base, env: { ...env, LISTEN_FDS: '1' }, execArgv: [] }),
    'socket-activated',
    'inherited listening sockets: no relaunch',
  );
  assert.equal(calls.length, 1);
  const { execve: _, ...old } = base;
  assert.equal(relaunchWithLaunchFlags({ ...old, execArgv: [] }), 'unsupported');
});

test('relaunch: a command line that allows /probe targets gets the fleet flags', () => {
  const calls: Array<readonly string[] | undefined> = [];
  const execve = ((_file: string, args?: readonly string[]) => {
    calls.push(args);
    throw new Error('stub: execve does not return');
  }) as (file: string, args?: readonly string[], env?: NodeJS.ProcessEnv) => never;
  const run = (args: string[], execArgv: string[] = []) =>
    relaunchWithLaunchFlags({ execPath: '/n', argv: ['/n', '/cli.js', ...args], env: {}, execve, execArgv });
  assert.equal(run(['--probe.allow=10.0.0.0/8']), 'failed');
  assert.equal(run(['--probe.allow', '10.0.0.0/8', '--web.listen-address=:9104']), 'failed');
  assert.equal(run(['--probe.allow=']), 'failed');
  assert.equal(run(['--probe.allow=10.0.0.0/8'], ['--max-semi-space-size=8']), 'complete', 'user value kept');
  assert.deepEqual(calls, [
    ['/n', ...FLEET_LAUNCH_FLAGS, '/cli.js', '--probe.allow=10.0.0.0/8'],
    ['/n', ...FLEET_LAUNCH_FLAGS, '/cli.js', '--probe.allow', '10.0.0.0/8', '--web.listen-address=:9104'],
    ['/n', ...LAUNCH_FLAGS, '/cli.js', '--probe.allow='],
  ]);
});
