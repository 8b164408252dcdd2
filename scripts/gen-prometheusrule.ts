/**
 * Writes deploy/kubernetes/prometheusrule.yaml: a Prometheus Operator PrometheusRule carrying the
 * groups of deploy/prometheus/rules/*.yml unchanged (test/integration/kubernetes.test.ts holds the two
 * to each other). `node --import tsx scripts/gen-prometheusrule.ts` after changing a rule file.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

const ROOT = join(import.meta.dirname, '..');
const RULES = join(ROOT, 'deploy/prometheus/rules');

export function prometheusRule(): Record<string, unknown> {
  const groups = readdirSync(RULES)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .flatMap((f) => (parse(readFileSync(join(RULES, f), 'utf8')) as { groups: unknown[] }).groups);
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'mysql', labels: { 'app.kubernetes.io/name': 'mysql-exporter' } },
    spec: { groups },
  };
}

if (import.meta.main ?? process.argv[1] === import.meta.filename) {
  const header =
    '# Generated from deploy/prometheus/rules/*.yml by scripts/gen-prometheusrule.ts: edit those, then rerun it.\n' +
    '# Our alert and recording rules for the Prometheus Operator (kubectl apply -n monitoring -f this file;\n' +
    "# your Prometheus' ruleSelector may need the label it selects on).\n";
  writeFileSync(
    join(ROOT, 'deploy/kubernetes/prometheusrule.yaml'),
    header + stringify(prometheusRule(), { lineWidth: 0 }),
  );
}
