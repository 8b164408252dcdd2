/**
 * The repository's deployment files (deploy/, docker-compose.yml, Dockerfile), read and parsed for
 * the deploy-* integration tests: paths, the compose services and their mounts, the dashboard's panels
 * and queries, the Prometheus rules, the vector selectors of a PromQL expression, and the Debian
 * programs (docker-compose, promtool, prometheus) that check them.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const at = (...p: string[]) => join(ROOT, ...p);
export const DASHBOARD = at('deploy/grafana/dashboards/mysql-overview.json');
export const RULES_DIR = at('deploy/prometheus/rules');
export const RULE_TESTS_DIR = at('deploy/prometheus/tests');
export const EXPORTER_CNF = at('deploy/exporter/my.cnf');

// ------------------------------------------------------------------------------------------------
// Small helpers

/** A required program, or a loud failure naming the Debian package (tests never install). */
export function binary(name: string, pkg: string): string {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/bin', '/usr/local/bin'];
  for (const d of dirs) {
    if (d && existsSync(join(d, name))) return join(d, name);
  }
  throw new Error(`${name} not found: apt-get install -y ${pkg} (bash .ci/run installs it)`);
}

export function run(cmd: string, args: readonly string[], cwd = ROOT): { code: number; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

export function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => join(dir, f));
}

export function walk(p: string): string[] {
  if (!statSync(p).isDirectory()) return [p];
  return readdirSync(p).flatMap((n) => walk(join(p, n)));
}

export type Json = Record<string, unknown>;
export const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

// ------------------------------------------------------------------------------------------------
// PromQL text helpers

export const NOT_METRICS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
]);
export const NOT_METRICS_2 = new Set(['unless', 'bool', 'offset', 'inf', 'nan']);

/**
 * The vector selectors of an expression (`name` or `name{matchers}`), found lexically: ranges and
 * grouping label lists are removed, function names (followed by `(`) and keywords skipped.
 */
export function selectorsOf(expr: string): string[] {
  const e = expr
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const out: string[] = [];
  for (const m of e.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?(\s*\()?/g)) {
    const name = m[1]!;
    if (m[3] || NOT_METRICS.has(name.toLowerCase()) || NOT_METRICS_2.has(name.toLowerCase())) continue;
    out.push(`${name}${(m[2] ?? '').replace(/\s+/g, ' ')}`);
  }
  return [...new Set(out)];
}

export const metricName = (selector: string) => selector.replace(/\{.*$/s, '');

// ------------------------------------------------------------------------------------------------
// Parsed project files

export interface DashTarget {
  readonly panel: string;
  readonly expr: string;
}

export function dashboard(): Json {
  return JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Json;
}

export function dashboardPanels(d: Json): Json[] {
  const out: Json[] = [];
  for (const p of arr(d.panels).map(obj)) {
    out.push(p);
    for (const inner of arr(p.panels).map(obj)) out.push(inner);
  }
  return out;
}

export function dashboardTargets(d: Json): DashTarget[] {
  return dashboardPanels(d).flatMap((p) =>
    arr(p.targets).map((t) => ({ panel: str(p.title), expr: str(obj(t).expr) })),
  );
}

export interface Rule {
  readonly group: string;
  readonly name: string;
  readonly kind: 'record' | 'alert';
  readonly expr: string;
  readonly raw: Json;
}

export function rules(): Rule[] {
  const out: Rule[] = [];
  for (const f of filesUnder(RULES_DIR, '.yml')) {
    for (const g of arr(obj(parseYaml(readFileSync(f, 'utf8'))).groups).map(obj)) {
      for (const r of arr(g.rules).map(obj)) {
        const record = str(r.record);
        out.push({
          group: str(g.name),
          name: record || str(r.alert),
          kind: record ? 'record' : 'alert',
          expr: str(r.expr),
          raw: r,
        });
      }
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// docker-compose.yml

export interface Mount {
  readonly source: string;
  readonly target: string;
  readonly bind: boolean;
}

export function mountsOf(service: Json): Mount[] {
  return arr(service.volumes).map((v) => {
    if (typeof v === 'string') {
      const [source = '', target = ''] = v.split(':');
      return { source, target, bind: source.startsWith('/') || source.startsWith('.') };
    }
    const o = obj(v);
    return { source: str(o.source), target: str(o.target), bind: str(o.type) === 'bind' };
  });
}

export function composeConfig(): Json {
  const dc = binary('docker-compose', 'docker-compose');
  const r = run(dc, ['--profile', 'mariadb', 'config']);
  assert.equal(r.code, 0, r.out);
  return obj(parseYaml(r.out));
}

/** A container path mapped to the repository file mounted there (or below a mounted directory). */
export function hostPathOf(service: Json, containerPath: string): string | undefined {
  for (const m of mountsOf(service)) {
    if (!m.bind) continue;
    if (containerPath === m.target) return m.source;
    if (containerPath.startsWith(`${m.target}/`)) return join(m.source, containerPath.slice(m.target.length));
  }
  return undefined;
}

export const EXPORTERS = ['exporter', 'exporter-mariadb'];

export function flagValue(args: readonly string[], name: string): string | undefined {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3);
}
