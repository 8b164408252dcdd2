/**
 * The Grafana dashboard, statically: its structure (uid, ids, grid, data source variable) and the
 * metric names it shows. Shared parsing: test/helpers/deploy-files.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  arr,
  dashboard,
  dashboardPanels,
  dashboardTargets,
  metricName,
  obj,
  selectorsOf,
  str,
} from '../helpers/deploy-files.js';

/** Grafana's reference to the dashboard's data source variable. */
const DS_VAR = '$' + '{datasource}';

describe('Grafana dashboard (static)', () => {
  test('structure: uid, unique ids, non-overlapping grid, every panel queries the datasource variable', () => {
    const d = dashboard();
    assert.equal(d.uid, 'mysql-exporter-overview');
    const panels = dashboardPanels(d);
    const ids = panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
    const cells = new Set<string>();
    for (const p of panels) {
      const g = obj(p.gridPos);
      const [x, y, w, h] = [g.x, g.y, g.w, g.h].map(Number) as [number, number, number, number];
      assert.ok(x >= 0 && w > 0 && x + w <= 24 && h > 0, `${str(p.title)}: gridPos`);
      for (let i = x; i < x + w; i++)
        for (let j = y; j < y + h; j++) {
          assert.ok(!cells.has(`${i},${j}`), `${str(p.title)} overlaps another panel`);
          cells.add(`${i},${j}`);
        }
      if (p.type === 'row') continue;
      assert.ok(str(p.title) && str(p.description), 'every panel has a title and a description');
      assert.equal(str(obj(p.datasource).uid), DS_VAR, str(p.title));
      assert.ok(arr(p.targets).length > 0, `${str(p.title)}: no query`);
      for (const t of arr(p.targets).map(obj)) {
        assert.equal(str(obj(t.datasource).uid), DS_VAR, str(p.title));
        assert.ok(str(t.expr), `${str(p.title)}: empty query`);
      }
    }
    const vars = arr(obj(d.templating).list).map(obj);
    const byName = new Map(vars.map((v) => [str(v.name), v]));
    assert.equal(byName.get('datasource')?.type, 'datasource');
    assert.equal(str(byName.get('job')?.definition), 'label_values(mysql_up, job)');
    assert.equal(str(byName.get('instance')?.definition), 'label_values(mysql_up{job=~"$job"}, instance)');
  });

  test('it covers what users look for, with metric names mysqld_exporter users know', () => {
    const targets = dashboardTargets(dashboard());
    const names = new Set(targets.flatMap((t) => selectorsOf(t.expr).map(metricName)));
    for (const n of names)
      assert.match(n, /^(mysql_|process_|scrape_)/, `${n}: not a mysqld_exporter / Prometheus name`);
    for (const needed of [
      'mysql_up',
      'mysql_global_status_uptime',
      'mysql_global_status_threads_connected',
      'mysql_global_variables_max_connections',
      'mysql_global_status_threads_running',
      'mysql_global_status_questions',
      'mysql_global_status_commands_total',
      'mysql_global_status_buffer_pool_pages',
      'mysql_global_status_innodb_row_ops_total',
      'mysql_slave_status_seconds_behind_master',
      'mysql_slave_status_slave_io_running',
      'mysql_slave_status_slave_sql_running',
      'mysql_global_status_table_locks_waited',
      'mysql_global_status_created_tmp_disk_tables',
      'mysql_global_status_bytes_received',
      'mysql_global_status_bytes_sent',
      'mysql_exporter_collector_success',
      'mysql_exporter_collector_duration_seconds',
    ])
      assert.ok(names.has(needed), `the dashboard does not show ${needed}`);
    for (const t of targets) {
      assert.match(
        t.expr,
        /job=~"\$job", instance=~"\$instance"/,
        `${t.panel}: not filtered by $job/$instance`,
      );
    }
  });
});
