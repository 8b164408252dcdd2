import assert from 'node:assert/strict';
import { test } from 'node:test';
import { negotiateFormat } from '../../../src/http/negotiate.js';

/** Prometheus 2.42's scrape Accept headers (scrape/scrape.go), without and with native histograms. */
const PROMETHEUS_2_42 =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const PROMETHEUS_2_42_NATIVE =
  'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

const TEXT = 'text/plain; version=0.0.4; charset=utf-8';
const OM1 = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
const OM0 = 'application/openmetrics-text; version=0.0.1; charset=utf-8';
const PB = 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited';

const cases: Array<[string | undefined, string, string]> = [
  // Prometheus itself
  [PROMETHEUS_2_42, 'openmetrics', OM1],
  [PROMETHEUS_2_42_NATIVE, 'protobuf', PB],
  // No header, browsers, curl, wildcards: the classic text
  [undefined, 'text', TEXT],
  ['', 'text', TEXT],
  ['*/*', 'text', TEXT],
  ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'text', TEXT],
  ['application/json', 'text', TEXT],
  ['garbage;;;,,', 'text', TEXT],
  // Each format asked for alone
  ['text/plain', 'text', TEXT],
  ['text/plain;version=0.0.4', 'text', TEXT],
  ['application/openmetrics-text', 'openmetrics', OM1],
  ['application/openmetrics-text; version=1.0.0', 'openmetrics', OM1],
  ['application/openmetrics-text;version=0.0.1', 'openmetrics', OM0],
  [
    'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited',
    'protobuf',
    PB,
  ],
  // Spaces, case and quoting of the media type and parameters
  [' Application/OpenMetrics-Text ; version="1.0.0" ', 'openmetrics', OM1],
  // Versions and encodings we do not write are passed over
  ['text/plain;version=0.0.5', 'text', TEXT],
  ['application/openmetrics-text;version=2.0.0', 'text', TEXT],
  [
    'application/openmetrics-text;version=2.0.0,application/openmetrics-text;version=0.0.1;q=0.2',
    'openmetrics',
    OM0,
  ],
  ['application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text', 'text', TEXT],
  ['application/vnd.google.protobuf;proto=other.Message;encoding=delimited', 'text', TEXT],
  ['application/vnd.google.protobuf;encoding=delimited', 'text', TEXT],
  // q-values: the highest wins, whatever the order
  ['text/plain;q=0.5,application/openmetrics-text;q=0.9', 'openmetrics', OM1],
  [
    'text/plain;version=0.0.4;q=0.3,application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7',
    'protobuf',
    PB,
  ],
  ['application/openmetrics-text;q=0.2,text/plain;q=0.9', 'text', TEXT],
  // Equal q: the order given
  ['application/openmetrics-text,text/plain', 'openmetrics', OM1],
  ['text/plain,application/openmetrics-text', 'text', TEXT],
  // q=0 is "not acceptable"; a bad q is treated as 0
  ['application/openmetrics-text;q=0,text/plain;q=0.1', 'text', TEXT],
  [
    'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0,application/openmetrics-text;q=0.5',
    'openmetrics',
    OM1,
  ],
  ['application/openmetrics-text;q=abc', 'text', TEXT],
  // A wildcard with a higher q does not outrank a concrete type we can write
  ['*/*;q=1,application/openmetrics-text;q=0.5', 'openmetrics', OM1],
];

for (const [accept, format, contentType] of cases) {
  test(`Accept: ${accept === undefined ? '(none)' : JSON.stringify(accept)} -> ${format}`, () => {
    assert.deepEqual(negotiateFormat(accept), { format, contentType });
  });
}

test('a huge Accept header is cut, not parsed whole', () => {
  const huge = `${'x/y;q=0.1,'.repeat(2000)}application/openmetrics-text`;
  assert.equal(negotiateFormat(huge).format, 'text');
});
