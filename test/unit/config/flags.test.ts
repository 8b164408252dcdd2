import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration, parseFlags, renderHelp } from '../../../src/config/flags.js';
import type { FlagSpec } from '../../../src/model/flags.js';

const specs: FlagSpec[] = [
  { name: 'web.listen-address', kind: 'strings', default: [':9104'], help: 'listen' },
  { name: 'collect.global_status', kind: 'bool', default: true, help: 'gs' },
  { name: 'collect.mysql.user', kind: 'bool', default: false, help: 'u' },
  { name: 'exporter.max_open_connections', kind: 'int', default: 2, min: 1, help: 'n' },
  { name: 'timeout-offset', kind: 'float', default: 0.25, help: 'o' },
  { name: 'exporter.query_timeout', kind: 'duration', default: 0, help: 'q' },
  { name: 'log.format', kind: 'enum', default: 'logfmt', choices: ['logfmt', 'json'], help: 'f' },
];

test('defaults apply when no flag is given', () => {
  const p = parseFlags(specs, []);
  assert.deepEqual(p.problems, []);
  assert.deepEqual(p.values.get('web.listen-address'), [':9104']);
  assert.equal(p.values.get('collect.global_status'), true);
  assert.equal(p.values.get('exporter.max_open_connections'), 2);
});

test('kingpin forms: --x=v, --x v, --bool, --no-bool, repeatable lists', () => {
  const p = parseFlags(specs, [
    '--web.listen-address=:9200',
    '--web.listen-address',
    '127.0.0.1:9300',
    '--no-collect.global_status',
    '--collect.mysql.user',
    '--exporter.max_open_connections',
    '4',
    '--exporter.query_timeout=1500ms',
    '--log.format=json',
    '--timeout-offset=0.5',
  ]);
  assert.deepEqual(p.problems, []);
  assert.deepEqual(p.values.get('web.listen-address'), [':9200', '127.0.0.1:9300']);
  assert.equal(p.values.get('collect.global_status'), false);
  assert.equal(p.values.get('collect.mysql.user'), true);
  assert.equal(p.values.get('exporter.max_open_connections'), 4);
  assert.equal(p.values.get('exporter.query_timeout'), 1.5);
  assert.equal(p.values.get('log.format'), 'json');
  assert.equal(p.values.get('timeout-offset'), 0.5);
  assert.ok(p.explicit.has('collect.global_status'));
});

test('every bad flag is reported at once and names the flag', () => {
  const p = parseFlags(specs, [
    '--web.listen-adress=:1',
    '--exporter.max_open_connections=0',
    '--log.format=xml',
    '--timeout-offset=abc',
    '--collect.mysql.user=maybe',
    'stray',
    '--exporter.query_timeout',
  ]);
  const keys = p.problems.map((x) => x.key);
  assert.deepEqual(keys, [
    '--web.listen-adress',
    '--exporter.max_open_connections',
    '--log.format',
    '--timeout-offset',
    '--collect.mysql.user',
    'stray',
    '--exporter.query_timeout',
  ]);
  assert.match(p.problems[0]!.message, /unknown flag/);
  assert.match(p.problems[1]!.message, /at least 1/);
});

test('--no- works only for booleans', () => {
  const p = parseFlags(specs, ['--no-log.format']);
  assert.equal(p.problems[0]?.key, '--no-log.format');
});

test('help and version flags', () => {
  assert.equal(parseFlags(specs, ['-h']).help, true);
  assert.equal(parseFlags(specs, ['--help-long']).help, true);
  assert.equal(parseFlags(specs, ['--version']).version, true);
  const help = renderHelp(specs);
  assert.match(help, /--\[no-\]collect\.global_status/);
  assert.match(help, /--exporter\.max_open_connections=N|--exporter\.max_open_connections=INT/);
});

test('durations', () => {
  assert.equal(parseDuration('2s'), 2);
  assert.equal(parseDuration('250ms'), 0.25);
  assert.equal(parseDuration('1m'), 60);
  assert.equal(parseDuration('3'), 3);
  assert.equal(parseDuration('-1s'), undefined);
  assert.equal(parseDuration('1 d'), undefined);
});
