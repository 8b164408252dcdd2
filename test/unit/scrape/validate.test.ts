import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MetricFamily, Sample } from '../../../src/model/metrics.js';
import { validateFamilies, validateFamiliesByKey } from '../../../src/scrape/validate.js';

/** A small deterministic generator (mulberry32), so that a failure names its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function outcome(fn: () => number): string {
  try {
    return `ok ${fn()}`;
  } catch (err) {
    return `error ${(err as Error).message}`;
  }
}

/** Families with few names and values, so that clashes, mixed label orders and bad names occur. */
function randomFamilies(r: () => number): MetricFamily[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const names = ['a', 'b', 'a_bucket', 'a_sum', 'c', '1bad'];
  const labelNames = ['x', 'y', 'z', '__r', 'bad-name'];
  const families: MetricFamily[] = [];
  const nFamilies = 1 + Math.floor(r() * 4);
  for (let i = 0; i < nFamilies; i++) {
    const samples: Sample[] = [];
    const nSamples = Math.floor(r() * 5);
    for (let j = 0; j < nSamples; j++) {
      const labels: Record<string, string> = {};
      const nLabels = Math.floor(r() * 3);
      for (let k = 0; k < nLabels; k++)
        labels[r() < 0.95 ? pick(labelNames.slice(0, 3)) : pick(labelNames)] = pick([
          '1',
          '2',
          '',
          'a\u0000b',
        ]);
      const suffix = r() < 0.3 ? pick(['_bucket', '_sum', '']) : undefined;
      samples.push({
        labels,
        value: r() < 0.97 ? j : Number.NaN,
        ...(suffix !== undefined ? { suffix } : {}),
      });
    }
    families.push({ name: r() < 0.97 ? pick(names.slice(0, 5)) : '1bad', help: '', type: 'gauge', samples });
  }
  return families;
}

test('validateFamilies gives exactly the outcome of the reference check, on 20,000 random outputs', () => {
  for (let seed = 1; seed <= 20_000; seed++) {
    const families = randomFamilies(rng(seed));
    const maxSeries = seed % 7 === 0 ? 3 : 1000;
    assert.equal(
      outcome(() => validateFamilies(families, maxSeries)),
      outcome(() => validateFamiliesByKey(families, maxSeries)),
      `seed ${seed}: ${JSON.stringify(families)}`,
    );
  }
});

test('the same label names in another order are the same series', () => {
  const families: MetricFamily[] = [
    {
      name: 'm',
      help: '',
      type: 'gauge',
      samples: [
        { labels: { x: '1', y: '2' }, value: 1 },
        { labels: { y: '2', x: '1' }, value: 2 },
      ],
    },
  ];
  assert.throws(() => validateFamilies(families, 10), /duplicate series in m/);
});
