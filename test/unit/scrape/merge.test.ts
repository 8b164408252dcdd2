import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeOutcomes } from '../../../src/scrape/merge.js';
import type { MetricFamily } from '../../../src/model/metrics.js';

const oneSampleFamily = (
  name: string,
  labels: Record<string, string>,
  type: MetricFamily['type'] = 'gauge',
): MetricFamily => ({
  name,
  help: name,
  type,
  samples: [{ labels, value: 1 }],
});
const ok = (name: string, families: MetricFamily[]) => ({
  name,
  success: true,
  durationSeconds: 0,
  families,
});

test('collectors may share a family when their series differ (per-query self-metrics)', () => {
  const m = mergeOutcomes([
    ok('a', [
      oneSampleFamily('mysql_exporter_query_rows', { collector: 'a' }),
      oneSampleFamily('mysql_a', {}),
    ]),
    ok('b', [oneSampleFamily('mysql_exporter_query_rows', { collector: 'b' })]),
  ]);
  assert.deepEqual(
    m.outcomes.map((o) => o.success),
    [true, true],
  );
  assert.deepEqual(
    m.families.map((f) => [f.name, f.samples.length]),
    [
      ['mysql_exporter_query_rows', 2],
      ['mysql_a', 1],
    ],
  );
});

test('a repeated series or a type conflict fails the later collector as a whole', () => {
  const m = mergeOutcomes([
    ok('a', [oneSampleFamily('mysql_same', {})]),
    ok('b', [oneSampleFamily('mysql_b', {}), oneSampleFamily('mysql_same', {})]),
    ok('c', [oneSampleFamily('mysql_same', { x: '1' }, 'counter')]),
  ]);
  assert.deepEqual(
    m.outcomes.map((o) => [o.name, o.success]),
    [
      ['a', true],
      ['b', false],
      ['c', false],
    ],
  );
  assert.match(m.outcomes[1]?.error ?? '', /repeats a series/);
  assert.match(m.outcomes[2]?.error ?? '', /type gauge/);
  assert.deepEqual(
    m.families.map((f) => f.name),
    ['mysql_same'],
    "b's other family is dropped with it",
  );
});
