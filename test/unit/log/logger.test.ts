import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { Secret } from '../../../src/model/secret.js';
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

test('a Secret is masked in every string form; lines are never rewritten after the fact', () => {
  const pw = Secret.of(canary);
  assert.equal(String(pw), '<secret>');
  assert.equal(`${pw}`, '<secret>');
  assert.equal(JSON.stringify({ pw }), '{"pw":"<secret>"}');
  assert.equal(inspect({ pw }), '{ pw: Secret(<secret>) }');
  assert.deepEqual({ ...pw }, {});
  assert.equal(pw.reveal(), canary);
  const lines: string[] = [];
  for (const format of ['logfmt', 'json'] as const) {
    const log = createLogger({ level: 'debug', format, write: (l) => lines.push(l) });
    log.error('auth failed', { password: pw, creds: { user: 'u', password: pw } });
    // Text equal to some password is just text: nothing scans lines for it.
    log.info('info exporter 127 ":"', { level2: 'info' });
  }
  for (const l of lines) assert.ok(!l.includes('Cn4ry'), l);
  assert.match(lines[0]!, /password=<secret> creds="\{\\"user\\":\\"u\\",\\"password\\":\\"<secret>\\"\}"/);
  assert.match(lines[1]!, /msg="info exporter 127 \\":\\"" level2=info$/);
  assert.deepEqual(JSON.parse(lines[2]!).creds, { user: 'u', password: '<secret>' });
  assert.equal(JSON.parse(lines[3]!).msg, 'info exporter 127 ":"');
});
