import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../../src/log/logger.js';

const canary = 'Cn4ry#?@x;"\' %2F=+ü';

test('logfmt and json lines with levels', () => {
  const lines: string[] = [];
  const log = createLogger({
    level: 'info',
    format: 'logfmt',
    write: (l) => lines.push(l),
    now: () => new Date(0),
  });
  log.debug('hidden');
  log.info('scrape done', { target: '127.0.0.1:3306', n: 3 });
  log.child({ collector: 'global_status' }).error('collector failed', { err: new Error('boom bang') });
  assert.equal(lines.length, 2);
  assert.equal(
    lines[0],
    'ts=1970-01-01T00:00:00.000Z level=info msg="scrape done" target=127.0.0.1:3306 n=3',
  );
  assert.match(lines[1]!, /collector=global_status err="boom bang"/);
  const json: string[] = [];
  createLogger({ level: 'debug', format: 'json', write: (l) => json.push(l) }).debug('x', { a: 1 });
  assert.deepEqual(Object.keys(JSON.parse(json[0]!)), ['ts', 'level', 'msg', 'a']);
});

test('registered secrets are scrubbed in every form from every line', () => {
  const lines: string[] = [];
  for (const format of ['logfmt', 'json'] as const) {
    const log = createLogger({
      level: 'debug',
      format,
      write: (l) => lines.push(l),
      secrets: () => [canary],
    });
    log.error(`failed with ${canary}`, { err: new Error(`auth ${canary}`), url: encodeURIComponent(canary) });
  }
  for (const l of lines) {
    assert.ok(!l.includes(canary), l);
    assert.ok(!l.includes(encodeURIComponent(canary)), l);
    assert.ok(!l.includes('Cn4ry'), l);
  }
});
