/**
 * Reload of operators' query files through POST /-/reload: a new file becomes a collector, a broken
 * file makes the reload fail with file and line while the running collectors keep working.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cnfFor, sampleValue, startExporter, writeMyCnf } from '../helpers/exporter.js';
import { createExporterUser, startMariaDb } from '../helpers/mariadb.js';
import { tempDir } from '../helpers/tmp.js';

const queryFile = (name: string, metric: string, value: number) => `name: ${name}
help: Test query ${name}.
sql: SELECT ${value} AS v
metrics:
  - name: ${metric}
    help: A constant.
    type: gauge
    value: v
`;

test('POST /-/reload picks up new query files and refuses broken ones without losing the old set', async () => {
  const db = await startMariaDb();
  await createExporterUser(db, 'exporter', 'pw');
  const dir = tempDir('queries-');
  writeFileSync(join(dir, 'a.yaml'), queryFile('custom.a', 'mysql_custom_a', 7));
  const exp = await startExporter(writeMyCnf(cnfFor(db.port, 'exporter', 'pw')), [`--queries.dir=${dir}`]);
  const reload = async () => {
    const r = await fetch(`${exp.url}/-/reload`, { method: 'POST' });
    return { status: r.status, body: await r.text() };
  };
  try {
    let m = (await exp.get('/metrics')).body;
    assert.equal(sampleValue(m, 'mysql_custom_a'), 7);
    assert.equal(sampleValue(m, 'mysql_exporter_collector_success{collector="collect.custom.a"}'), 1);

    writeFileSync(join(dir, 'b.yaml'), queryFile('custom.b', 'mysql_custom_b', 8));
    assert.equal((await reload()).status, 200);
    m = (await exp.get('/metrics')).body;
    assert.equal(sampleValue(m, 'mysql_custom_a'), 7);
    assert.equal(sampleValue(m, 'mysql_custom_b'), 8);
    assert.equal(sampleValue(m, 'mysql_exporter_config_last_reload_successful'), 1);

    writeFileSync(join(dir, 'c.yaml'), 'name: custom.c\nhelp: x\nsql: DELETE FROM mysql.user\nmetrics: []\n');
    const failed = await reload();
    assert.equal(failed.status, 500);
    assert.ok(failed.body.includes(`${join(dir, 'c.yaml')}:3`), failed.body);
    m = (await exp.get('/metrics')).body;
    assert.equal(sampleValue(m, 'mysql_custom_b'), 8, 'the running set keeps working');
    assert.equal(sampleValue(m, 'mysql_exporter_config_last_reload_successful'), 0);
    const intact = await db.sql("SELECT COUNT(*) AS n FROM mysql.user WHERE User = 'exporter'");
    assert.equal(Number(intact[0]?.n), 1);
  } finally {
    await exp.stop();
    await db.destroy();
  }
});
