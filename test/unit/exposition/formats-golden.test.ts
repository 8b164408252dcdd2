/**
 * Byte-level golden outputs of every exposition format for fixed families. The golden files
 * (test/golden/exposition/) are written by hand: the text ones from the formats' specifications, the
 * protobuf one byte by byte (annotated) from client_model's metrics.proto, and that file is also
 * decoded here by an independent decoder (protobufjs with test/helpers/metrics.proto) into the
 * message written out below, so a mistake in the hand-written bytes cannot hide a mistake in ours.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderFormat } from '../../../src/exposition/render-format.js';
import type { MetricFamily } from '../../../src/model/metrics.js';
import { golden, goldenHex as hexFile } from '../../helpers/golden.js';
import { decodeDelimited } from '../../helpers/protobuf-decode.js';

const PB_FAMILIES: MetricFamily[] = [
  { name: 'a_total', help: 'A.', type: 'counter', samples: [{ labels: { k: 'v' }, value: 2 }] },
  { name: 'g', help: 'G', type: 'gauge', samples: [{ labels: {}, value: -0.5 }] },
  { name: 'u', help: 'U', type: 'untyped', samples: [{ labels: {}, value: 3 }] },
  {
    name: 'h_seconds',
    help: 'H',
    type: 'histogram',
    samples: [
      { suffix: '_bucket', labels: { le: '0.1' }, value: 2 },
      { suffix: '_bucket', labels: { le: '1' }, value: 5 },
      { suffix: '_bucket', labels: { le: '+Inf' }, value: 6 },
      { suffix: '_sum', labels: {}, value: 3.25 },
      { suffix: '_count', labels: {}, value: 6 },
    ],
    native: [
      {
        labels: {},
        count: 6,
        sum: 3.25,
        schema: 0,
        zeroThreshold: 0.1,
        zeroCount: 2,
        positive: [
          { index: 0, count: 3 },
          { index: 3, count: 1 },
        ],
      },
    ],
  },
  {
    name: 's',
    help: 'S',
    type: 'summary',
    samples: [
      { labels: { quantile: '0.5' }, value: 0.25 },
      { suffix: '_sum', labels: {}, value: 1 },
      { suffix: '_count', labels: {}, value: 4 },
    ],
  },
];

const TEXT_FAMILIES: MetricFamily[] = [
  ...PB_FAMILIES,
  {
    name: 'demo_connections',
    help: 'Line one\nwith "quotes" and \\ backslash',
    type: 'counter',
    samples: [
      { labels: { state: 'a"b\\c\nd', host: 'ü' }, value: 12 },
      { labels: { state: '', host: 'x' }, value: 0 },
    ],
  },
  {
    name: 'demo_values_bytes',
    help: 'V',
    type: 'gauge',
    samples: [
      { labels: { k: 'inf' }, value: Number.POSITIVE_INFINITY },
      { labels: { k: 'ninf' }, value: Number.NEGATIVE_INFINITY },
      { labels: { k: 'tiny' }, value: 1e-7 },
      { labels: { k: 'big' }, value: 1.5e21 },
      { labels: { k: 'neg' }, value: -3 },
    ],
  },
];

const bytes = async (families: MetricFamily[], format: 'text' | 'openmetrics' | 'protobuf') =>
  Buffer.concat((await renderFormat(families, format, [], undefined, { native: true })).chunks as Buffer[]);

test('classic text: byte for byte the golden file', async () => {
  assert.equal(
    (await bytes(TEXT_FAMILIES, 'text')).toString('utf8'),
    golden('families.prom').toString('utf8'),
  );
});

test('OpenMetrics: byte for byte the golden file (names kept, `# EOF` last)', async () => {
  assert.equal(
    (await bytes(TEXT_FAMILIES, 'openmetrics')).toString('utf8'),
    golden('families.om.txt').toString('utf8'),
  );
});

test('protobuf: byte for byte the hand-written golden bytes', async () => {
  const expected = hexFile('families.pb.hex');
  assert.equal((await bytes(PB_FAMILIES, 'protobuf')).toString('hex'), expected.toString('hex'));
});

test('the golden protobuf bytes decode (protobufjs, metrics.proto) to the intended messages', () => {
  assert.deepEqual(decodeDelimited(hexFile('families.pb.hex')), [
    {
      name: 'a_total',
      help: 'A.',
      type: 'COUNTER',
      metric: [{ label: [{ name: 'k', value: 'v' }], counter: { value: 2 } }],
    },
    { name: 'g', help: 'G', type: 'GAUGE', metric: [{ gauge: { value: -0.5 } }] },
    { name: 'u', help: 'U', type: 'UNTYPED', metric: [{ untyped: { value: 3 } }] },
    {
      name: 'h_seconds',
      help: 'H',
      type: 'HISTOGRAM',
      metric: [
        {
          histogram: {
            sampleCount: 6,
            sampleSum: 3.25,
            bucket: [
              { cumulativeCount: 2, upperBound: 0.1 },
              { cumulativeCount: 5, upperBound: 1 },
            ],
            schema: 0,
            zeroThreshold: 0.1,
            zeroCount: 2,
            positiveSpan: [
              { offset: 0, length: 1 },
              { offset: 2, length: 1 },
            ],
            positiveDelta: [3, -2],
          },
        },
      ],
    },
    {
      name: 's',
      help: 'S',
      type: 'SUMMARY',
      metric: [{ summary: { sampleCount: 4, sampleSum: 1, quantile: [{ quantile: 0.5, value: 0.25 }] } }],
    },
  ]);
});
