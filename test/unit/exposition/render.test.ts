import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROMETHEUS_CONTENT_TYPE, render } from '../../../src/exposition/render.js';
import { scrapeFamilies } from '../../../src/scrape/scrape-families.js';

test('families render with their types, escaped labels and histogram suffixes', async () => {
  const text = await render(
    [
      {
        name: 'mysql_global_status_uptime',
        help: 'Generic metric from SHOW GLOBAL STATUS.',
        type: 'untyped',
        samples: [{ labels: {}, value: 42 }],
      },
      {
        name: 'mysql_info_schema_table_rows',
        help: 'rows',
        type: 'gauge',
        samples: [{ labels: { schema: 'we\'ird"db\\x', table: 'new\nline' }, value: 3 }],
      },
      {
        name: 'mysql_x_seconds',
        help: 'h',
        type: 'histogram',
        samples: [
          { suffix: '_bucket', labels: { le: '0.1' }, value: 1 },
          { suffix: '_bucket', labels: { le: '+Inf' }, value: 2 },
          { suffix: '_sum', labels: {}, value: 0.5 },
          { suffix: '_count', labels: {}, value: 2 },
        ],
      },
    ],
    PROMETHEUS_CONTENT_TYPE,
  );
  assert.match(text, /# TYPE mysql_global_status_uptime untyped\nmysql_global_status_uptime 42/);
  assert.ok(text.includes('mysql_info_schema_table_rows{schema="we\'ird\\"db\\\\x",table="new\\nline"} 3'));
  assert.match(text, /mysql_x_seconds_bucket\{le="\+Inf"\} 2/);
  assert.match(text, /mysql_x_seconds_count 2/);
});

test('scrape families: mysql_up, collector success and durations with mysqld_exporter labels', () => {
  const fams = scrapeFamilies({
    up: true,
    connectSeconds: 0.01,
    outcomes: [
      { name: 'global_status', success: true, durationSeconds: 0.02, families: [] },
      { name: 'slave_status', success: false, durationSeconds: 0.03, error: 'x', families: [] },
    ],
    families: [],
  });
  const byName = new Map(fams.map((f) => [f.name, f]));
  assert.equal(byName.get('mysql_up')?.samples[0]?.value, 1);
  assert.deepEqual(
    byName.get('mysql_exporter_collector_success')?.samples.map((s) => [s.labels.collector, s.value]),
    [
      ['collect.global_status', 1],
      ['collect.slave_status', 0],
    ],
  );
  assert.deepEqual(
    byName.get('mysql_exporter_collector_duration_seconds')?.samples.map((s) => s.labels.collector),
    ['connection', 'collect.global_status', 'collect.slave_status'],
  );
});
