/**
 * The documented sharding of a fleet across exporter replicas (deploy/prometheus/fleet, docs/fleet.md),
 * checked with the real promtool: the configuration is valid, and service discovery with its
 * relabelling sends every target to exactly one replica, as /probe?target=<address>.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';

const DIR = join(import.meta.dirname, '..', '..', 'deploy', 'prometheus', 'fleet');
const CONFIG = join(DIR, 'prometheus.yml');

function promtool(args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync('promtool', args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw new Error(`promtool could not run (apt-get install prometheus): ${r.error.message}`);
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

interface Discovered {
  readonly discoveredLabels: Record<string, string>;
  readonly labels: Record<string, string>;
}

test('promtool check config accepts the sharded fleet configuration', () => {
  const r = promtool(['check', 'config', CONFIG]);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /SUCCESS/);
});

test('hashmod relabelling sends every target to exactly one exporter replica', () => {
  const config = parse(readFileSync(CONFIG, 'utf8')) as { scrape_configs: Array<{ job_name: string }> };
  const shards = config.scrape_configs
    .map((j) => j.job_name)
    .filter((n) => n.startsWith('mysql-fleet-shard-'));
  assert.ok(shards.length >= 2);
  const targets = (
    parse(readFileSync(join(DIR, 'targets', 'example.yml'), 'utf8')) as Array<{ targets: string[] }>
  ).flatMap((g) => g.targets);
  const owner = new Map<string, string>();
  for (const [i, job] of shards.entries()) {
    const r = promtool(['check', 'service-discovery', CONFIG, job]);
    assert.equal(r.code, 0, r.err);
    const found = JSON.parse(r.out) as Discovered[];
    assert.equal(found.length, targets.length, 'every target is discovered by every shard job');
    const kept = found.filter((d) => Object.keys(d.labels).length > 0);
    assert.ok(kept.length > 0, `${job} keeps no target of the example`);
    for (const d of kept) {
      const target = d.discoveredLabels.__address__!;
      assert.equal(owner.get(target), undefined, `${target} kept by ${owner.get(target)} and ${job}`);
      owner.set(target, job);
      assert.equal(d.labels.__address__, `mysql-exporter-${i}:9104`);
      assert.equal(d.labels.__param_target, target);
      assert.equal(d.labels.instance, target);
      assert.equal(d.labels.__metrics_path__, '/probe');
    }
  }
  assert.deepEqual([...owner.keys()].sort(), [...targets].sort());
});
