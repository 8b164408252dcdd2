import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { GZIP_SYNC_MAX_BYTES, gzipExposition } from '../../../src/exposition/compress.js';
import type { Exposition } from '../../../src/exposition/serialize.js';

function exposition(bytes: number): Exposition {
  const line = Buffer.from('mysql_global_status_bytes_received{x="ä"} 123456789\n');
  const chunks: Buffer[] = [];
  let left = bytes;
  while (left > 0) {
    const n = Math.min(left, 64 * 1024);
    chunks.push(Buffer.alloc(n, line));
    left -= n;
  }
  return { chunks, byteLength: bytes };
}

test('gzip: small bodies (one call) and large ones (the stream) decompress to the same bytes', async () => {
  for (const size of [0, 1, 190_000, GZIP_SYNC_MAX_BYTES, GZIP_SYNC_MAX_BYTES + 1, 3 * GZIP_SYNC_MAX_BYTES]) {
    const e = exposition(size);
    const z = await gzipExposition(e);
    const whole = Buffer.concat(z.chunks as Buffer[]);
    assert.equal(whole.length, z.byteLength, `byteLength at ${size}`);
    assert.deepEqual(gunzipSync(whole), Buffer.concat(e.chunks as Buffer[]), `content at ${size}`);
  }
});
