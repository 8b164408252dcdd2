import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acceptsGzip } from '../../../src/http/accept-encoding.js';

test('acceptsGzip: gzip named with q > 0, or * when gzip is not named', () => {
  for (const h of [
    'gzip',
    'GZIP',
    'x-gzip',
    'gzip, deflate',
    'deflate, gzip;q=0.5',
    'gzip; q=1.0',
    '*',
    'br, *;q=0.1',
  ])
    assert.equal(acceptsGzip(h), true, h);
  for (const h of [
    undefined,
    '',
    'identity',
    'deflate',
    'br',
    'gzip;q=0',
    'gzip;q=0.0',
    '*;q=0',
    'gzip;q=0, *',
    'gzipx',
  ])
    assert.equal(acceptsGzip(h), false, String(h));
});
