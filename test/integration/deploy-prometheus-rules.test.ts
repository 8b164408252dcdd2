/**
 * Prometheus files: `promtool check config`, `check rules`, `test rules`; every alert has a firing
 * unit test, a severity, a summary and a description. Shared parsing: test/helpers/deploy-files.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import {
  ROOT,
  RULES_DIR,
  RULE_TESTS_DIR,
  arr,
  binary,
  filesUnder,
  obj,
  rules,
  run,
  str,
} from '../helpers/deploy-files.js';

describe('Prometheus configuration and rules (promtool)', () => {
  test('promtool check config: valid, with every rule file resolved and checked', () => {
    const r = run(binary('promtool', 'prometheus'), ['check', 'config', 'deploy/prometheus/prometheus.yml']);
    assert.equal(r.code, 0, r.out);
    const files = filesUnder(RULES_DIR, '.yml');
    assert.ok(files.length >= 2);
    assert.match(r.out, new RegExp(`SUCCESS: ${files.length} rule files found`), r.out);
    for (const f of files) assert.ok(r.out.includes(`Checking ${relative(ROOT, f)}`), `${f} not checked`);
  });

  test('promtool check rules', () => {
    const r = run(binary('promtool', 'prometheus'), [
      'check',
      'rules',
      ...filesUnder(RULES_DIR, '.yml').map((f) => relative(ROOT, f)),
    ]);
    assert.equal(r.code, 0, r.out);
    assert.doesNotMatch(r.out, /WARNING|FAILED/, r.out);
  });

  test('promtool test rules, and every alert has a unit test in which it fires', () => {
    const tests = filesUnder(RULE_TESTS_DIR, '.yml');
    assert.ok(tests.length > 0);
    const r = run(binary('promtool', 'prometheus'), [
      'test',
      'rules',
      ...tests.map((f) => relative(ROOT, f)),
    ]);
    assert.equal(r.code, 0, r.out);
    assert.doesNotMatch(r.out, /FAILED/, r.out);
    const firing = new Set<string>();
    for (const f of tests) {
      for (const tc of arr(obj(parseYaml(readFileSync(f, 'utf8'))).tests).map(obj)) {
        for (const a of arr(tc.alert_rule_test).map(obj))
          if (arr(a.exp_alerts).length > 0) firing.add(str(a.alertname));
      }
    }
    const alerts = rules().filter((x) => x.kind === 'alert');
    for (const a of alerts) assert.ok(firing.has(a.name), `${a.name} has no unit test where it fires`);
  });

  test('every alert has a severity, a summary and a description; names are unique per severity', () => {
    const seen = new Set<string>();
    for (const a of rules().filter((x) => x.kind === 'alert')) {
      const labels = obj(a.raw.labels);
      const ann = obj(a.raw.annotations);
      assert.ok(['critical', 'warning', 'info'].includes(str(labels.severity)), `${a.name}: severity`);
      assert.ok(str(ann.summary) && str(ann.description), `${a.name}: summary and description`);
      const key = `${a.name}/${str(labels.severity)}`;
      assert.ok(!seen.has(key), `${key} twice`);
      seen.add(key);
    }
    for (const r of rules().filter((x) => x.kind === 'record'))
      assert.match(r.name, /^[a-z]+:[a-z0-9_]+(:[a-z0-9_]+)?$/, `${r.name}: level:metric:operations`);
  });
});
