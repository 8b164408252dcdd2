/** The hand-written golden expositions of test/golden/exposition/ (see formats-golden.test.ts). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const GOLDEN = join(import.meta.dirname, '..', 'golden', 'exposition');

export const golden = (f: string): Buffer => readFileSync(join(GOLDEN, f));

/** An annotated hex file (`#` comments) as bytes. */
export function goldenHex(f: string): Buffer {
  const hex = golden(f)
    .toString('utf8')
    .split('\n')
    .map((l) => l.replace(/#.*$/, ''))
    .join(' ')
    .trim()
    .split(/\s+/)
    .filter((x) => x !== '');
  for (const h of hex) assert.match(h, /^[0-9a-f]{2}$/, `bad hex byte ${h}`);
  return Buffer.from(hex.join(''), 'hex');
}
