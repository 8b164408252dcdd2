import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../../src/assemble.js';
import { tempDir } from '../../helpers/tmp.js';

test('--exporter.query_timeout becomes the budget of every collector without one of its own', async () => {
  const dir = tempDir('load-test-');
  writeFileSync(
    join(dir, 'q.yaml'),
    'name: custom.own\nhelp: h\nsql: SELECT 1 AS v\ntimeout: 3s\nmetrics:\n  - name: mysql_custom_own\n    help: h\n    type: gauge\n    value: v\n',
  );
  const argv = ['--mysqld.username=u', `--queries.dir=${dir}`];
  const env = { HOME: dir };
  const loaded = await loadConfig([...argv, '--exporter.query_timeout=1500ms'], env);
  assert.equal(loaded.kind, 'config');
  if (loaded.kind !== 'config') return;
  const budget = new Map(loaded.config.state.collectors.map((c) => [c.name, c.timeoutMs]));
  assert.equal(budget.get('global_status'), 1500);
  assert.equal(budget.get('info_schema.innodb_cmp'), 1500);
  assert.equal(budget.get('custom.own'), 3000, 'a query file keeps its own timeout');
  assert.equal(
    loaded.config.state.settings.statementTimeoutMs,
    1500,
    'and it bounds statements on the server',
  );

  const none = await loadConfig(argv, env);
  if (none.kind !== 'config') throw new Error('expected a configuration');
  assert.equal(none.config.state.collectors.find((c) => c.name === 'global_status')?.timeoutMs, undefined);
  assert.equal(none.config.state.settings.statementTimeoutMs, 60_000);
});

test('--exporter.native_histograms: off by default', async () => {
  const env = { HOME: tempDir('load-test-home-') };
  const off = await loadConfig(['--mysqld.username=u', '--mysqld.address=127.0.0.1:3306'], env);
  const on = await loadConfig(
    ['--mysqld.username=u', '--mysqld.address=127.0.0.1:3306', '--exporter.native_histograms'],
    env,
  );
  assert.ok(off.kind === 'config' && on.kind === 'config');
  assert.equal(off.config.nativeHistograms, false);
  assert.equal(on.config.nativeHistograms, true);
});
