/**
 * What users meet around the exporter, checked for real on a machine without a Docker engine:
 * - docker-compose.yml: `docker-compose config` (Debian's docker-compose), every file it mounts or
 *   builds from, healthchecks, and the wiring between the services (paths, names, ports) agree; the
 *   exporter services' own flags and option file load;
 * - Dockerfile: its structure, every COPY source, and the runtime stage's layout (compiled CLI +
 *   package.json + queries/ + node_modules) started for real, with its HEALTHCHECK command;
 * - Prometheus files: `promtool check config`, `check rules`, `test rules`, and every alert has a
 *   firing unit test;
 * - every PromQL expression of the Grafana dashboard and of the rules, evaluated by a real Prometheus
 *   (Debian `prometheus`, with our rule files loaded) scraping our exporter (configured like the
 *   compose `exporter` service, with deploy/exporter/my.cnf) on a throwaway MariaDB replica whose
 *   primary ran deploy/mariadb/init.sql, under a small workload. All must parse; all must return data
 *   except the ones listed in NO_DATA, which must then indeed return nothing; no alert may hold.
 *
 * MYSQL_EXPORTER_TEST_TARGET=host:port points the PromQL part at an existing server instead, e.g. the
 * compose stack's MySQL (127.0.0.1:13306) or MariaDB (127.0.0.1:13307); see deploy/README.md.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../src/assemble.js';
import { LAUNCH_FLAGS } from '../../src/runtime/v8-tuning.js';
import { type TestExporter, startExporter } from '../helpers/exporter.js';
import { type ReplicationPair, freePort, startReplicationPair } from '../helpers/mariadb.js';
import { poll } from '../helpers/poll.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const at = (...p: string[]) => join(ROOT, ...p);
const DASHBOARD = at('deploy/grafana/dashboards/mysql-overview.json');
const RULES_DIR = at('deploy/prometheus/rules');
const RULE_TESTS_DIR = at('deploy/prometheus/tests');
const EXPORTER_CNF = at('deploy/exporter/my.cnf');
/** Grafana's reference to the dashboard's data source variable. */
const DS_VAR = '$' + '{datasource}';

// ------------------------------------------------------------------------------------------------
// Small helpers

/** A required program, or a loud failure naming the Debian package (tests never install). */
function binary(name: string, pkg: string): string {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/bin', '/usr/local/bin'];
  for (const d of dirs) {
    if (d && existsSync(join(d, name))) return join(d, name);
  }
  throw new Error(`${name} not found: apt-get install -y ${pkg} (bash .ci/run installs it)`);
}

function run(cmd: string, args: readonly string[], cwd = ROOT): { code: number; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => join(dir, f));
}

function walk(p: string): string[] {
  if (!statSync(p).isDirectory()) return [p];
  return readdirSync(p).flatMap((n) => walk(join(p, n)));
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

// ------------------------------------------------------------------------------------------------
// PromQL text helpers

const NOT_METRICS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or']);
const NOT_METRICS_2 = new Set(['unless', 'bool', 'offset', 'inf', 'nan']);

/**
 * The vector selectors of an expression (`name` or `name{matchers}`), found lexically: ranges and
 * grouping label lists are removed, function names (followed by `(`) and keywords skipped.
 */
function selectorsOf(expr: string): string[] {
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

const metricName = (selector: string) => selector.replace(/\{.*$/s, '');

// ------------------------------------------------------------------------------------------------
// Parsed project files

interface DashTarget {
  readonly panel: string;
  readonly expr: string;
}

function dashboard(): Json {
  return JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Json;
}

function dashboardPanels(d: Json): Json[] {
  const out: Json[] = [];
  for (const p of arr(d.panels).map(obj)) {
    out.push(p);
    for (const inner of arr(p.panels).map(obj)) out.push(inner);
  }
  return out;
}

function dashboardTargets(d: Json): DashTarget[] {
  return dashboardPanels(d).flatMap((p) =>
    arr(p.targets).map((t) => ({ panel: str(p.title), expr: str(obj(t).expr) })),
  );
}

interface Rule {
  readonly group: string;
  readonly name: string;
  readonly kind: 'record' | 'alert';
  readonly expr: string;
  readonly raw: Json;
}

function rules(): Rule[] {
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

interface Mount {
  readonly source: string;
  readonly target: string;
  readonly bind: boolean;
}

function mountsOf(service: Json): Mount[] {
  return arr(service.volumes).map((v) => {
    if (typeof v === 'string') {
      const [source = '', target = ''] = v.split(':');
      return { source, target, bind: source.startsWith('/') || source.startsWith('.') };
    }
    const o = obj(v);
    return { source: str(o.source), target: str(o.target), bind: str(o.type) === 'bind' };
  });
}

function composeConfig(): Json {
  const dc = binary('docker-compose', 'docker-compose');
  const r = run(dc, ['--profile', 'mariadb', 'config']);
  assert.equal(r.code, 0, r.out);
  return obj(parseYaml(r.out));
}

/** A container path mapped to the repository file mounted there (or below a mounted directory). */
function hostPathOf(service: Json, containerPath: string): string | undefined {
  for (const m of mountsOf(service)) {
    if (!m.bind) continue;
    if (containerPath === m.target) return m.source;
    if (containerPath.startsWith(`${m.target}/`)) return join(m.source, containerPath.slice(m.target.length));
  }
  return undefined;
}

const EXPECTED_SERVICES = ['exporter', 'exporter-mariadb', 'grafana', 'mariadb', 'mysql', 'prometheus'];
const EXPORTERS = ['exporter', 'exporter-mariadb'];

function flagValue(args: readonly string[], name: string): string | undefined {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3);
}

describe('docker-compose.yml (validated with Debian docker-compose: no Docker engine here)', () => {
  test('docker-compose config -q passes, with and without the mariadb profile', () => {
    const dc = binary('docker-compose', 'docker-compose');
    for (const args of [
      ['config', '-q'],
      ['--profile', 'mariadb', 'config', '-q'],
    ]) {
      const r = run(dc, args);
      assert.equal(r.code, 0, `docker-compose ${args.join(' ')}:\n${r.out}`);
      assert.doesNotMatch(r.out, /WARN/i, r.out);
    }
  });

  test('services, profiles, published ports and healthchecks', () => {
    const services = obj(composeConfig().services);
    assert.deepEqual(Object.keys(services).sort(), EXPECTED_SERVICES);
    for (const [name, s] of Object.entries(services).map(([n, v]) => [n, obj(v)] as const)) {
      const profiles = arr(s.profiles);
      if (name === 'mariadb' || name === 'exporter-mariadb') assert.deepEqual(profiles, ['mariadb'], name);
      else assert.deepEqual(profiles, [], `${name} must run without a profile`);
      const hc = obj(s.healthcheck);
      const cmd = arr(hc.test).map(String);
      assert.ok(cmd.length > 1 && cmd[0] !== 'NONE' && hc.disable !== true, `${name} has no healthcheck`);
      for (const [dep, cond] of Object.entries(obj(s.depends_on))) {
        assert.ok(dep in services, `${name} depends on unknown ${dep}`);
        if (obj(cond).condition === 'service_healthy')
          assert.ok(obj(obj(services[dep]).healthcheck).test, `${name} waits for ${dep} to be healthy`);
      }
      for (const p of arr(s.ports)) {
        const text = typeof p === 'string' ? p : str(obj(p).host_ip);
        assert.match(
          text,
          /^127\.0\.0\.1/,
          `${name} publishes a port beyond localhost: ${JSON.stringify(p)}`,
        );
      }
    }
  });

  test('every file it mounts or builds from exists in the repository', () => {
    const services = obj(composeConfig().services);
    let binds = 0;
    for (const [name, s] of Object.entries(services).map(([n, v]) => [n, obj(v)] as const)) {
      for (const m of mountsOf(s)) {
        if (!m.bind) continue;
        binds++;
        const src = resolve(ROOT, m.source);
        assert.ok(existsSync(src), `${name} mounts ${m.source}, which does not exist`);
        assert.ok(!relative(ROOT, src).startsWith('..'), `${name} mounts ${m.source} from outside the repo`);
      }
      if (s.build !== undefined) {
        const b = obj(s.build);
        const ctx = resolve(ROOT, str(b.context));
        assert.equal(ctx, ROOT, `${name} builds from the repository root`);
        assert.ok(existsSync(join(ctx, str(b.dockerfile) || 'Dockerfile')), `${name}: Dockerfile missing`);
      }
    }
    assert.ok(binds >= 8, `expected the deploy/ files to be mounted, found ${binds} bind mounts`);
  });

  test('the services agree with each other: paths, names and ports', () => {
    const services = obj(composeConfig().services);
    const svc = (n: string) => obj(services[n]);

    // Databases: the init scripts land in the entrypoint's init directory.
    for (const [db, file] of [
      ['mysql', 'deploy/mysql/init.sql'],
      ['mariadb', 'deploy/mariadb/init.sql'],
    ] as const) {
      assert.equal(hostPathOf(svc(db), '/docker-entrypoint-initdb.d/10-exporter.sql'), at(file), db);
    }

    // Exporters: built from the Dockerfile, the option file mounted where --config.my-cnf says, and
    // the MySQL exporter's unix socket on a volume the mysql service shares at the same place.
    for (const name of EXPORTERS) {
      const s = svc(name);
      const args = arr(s.command).map(String);
      const cnf = flagValue(args, 'config.my-cnf');
      assert.ok(cnf, `${name}: --config.my-cnf`);
      assert.equal(hostPathOf(s, cnf), EXPORTER_CNF, `${name}: option file mount`);
      assert.equal(str(s.image), 'mysql-exporter:local');
    }
    const address = flagValue(arr(svc('exporter').command).map(String), 'mysqld.address') ?? '';
    assert.match(address, /^unix:\/\//);
    const socketDir = posix.dirname(address.slice('unix://'.length));
    const shared = (n: string) => mountsOf(svc(n)).find((m) => !m.bind && m.target === socketDir)?.source;
    assert.ok(shared('exporter') && shared('exporter') === shared('mysql'), 'the socket volume is shared');
    assert.equal(
      flagValue(arr(svc('exporter-mariadb').command).map(String), 'mysqld.address'),
      'mariadb:3306',
    );

    // Prometheus: configuration and rules mounted where the configuration says.
    const prom = svc('prometheus');
    const promArgs = arr(prom.command).map(String);
    const promCfg = flagValue(promArgs, 'config.file') ?? '';
    assert.equal(hostPathOf(prom, promCfg), at('deploy/prometheus/prometheus.yml'));
    const cfg = obj(parseYaml(readFileSync(at('deploy/prometheus/prometheus.yml'), 'utf8')));
    for (const glob of arr(cfg.rule_files).map(String)) {
      const inContainer = posix.join(posix.dirname(promCfg), glob);
      const host = hostPathOf(prom, posix.dirname(inContainer));
      assert.equal(
        host,
        RULES_DIR,
        `rule_files ${glob} must resolve to deploy/prometheus/rules in the container`,
      );
    }
    // Every scrape target names a compose service on the port it listens on.
    const jobs = arr(cfg.scrape_configs).map(obj);
    const hosts: string[] = [];
    for (const j of jobs) {
      for (const sc of arr(j.static_configs).map(obj)) hosts.push(...arr(sc.targets).map(String));
      for (const dns of arr(j.dns_sd_configs).map(obj))
        hosts.push(...arr(dns.names).map((n) => `${String(n)}:${String(dns.port)}`));
    }
    const listensOn: Record<string, string> = {
      exporter: '9104',
      'exporter-mariadb': '9104',
      grafana: '3000',
      localhost: '9090',
    };
    for (const h of hosts) {
      const [host = '', port = ''] = h.split(':');
      if (host !== 'localhost') assert.ok(host in services, `scrape target ${h} is not a compose service`);
      assert.equal(port, listensOn[host], `scrape target ${h}`);
    }
    const mysqlJob = jobs.find((j) => j.job_name === 'mysql');
    assert.ok(mysqlJob, 'a scrape job named mysql');

    // Grafana: provisioning and dashboards mounted where its provider looks; the data source is
    // the prometheus service; the home dashboard exists.
    const graf = svc('grafana');
    assert.equal(hostPathOf(graf, '/etc/grafana/provisioning'), at('deploy/grafana/provisioning'));
    const providers = obj(
      parseYaml(readFileSync(at('deploy/grafana/provisioning/dashboards/mysql.yml'), 'utf8')),
    ).providers;
    const dashPath = str(obj(obj(arr(providers)[0]).options).path);
    assert.equal(hostPathOf(graf, dashPath), at('deploy/grafana/dashboards'));
    const home = str(obj(graf.environment).GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH);
    assert.equal(hostPathOf(graf, home), DASHBOARD);
    const ds = arr(
      obj(parseYaml(readFileSync(at('deploy/grafana/provisioning/datasources/prometheus.yml'), 'utf8')))
        .datasources,
    ).map(obj);
    assert.equal(ds.length, 1);
    assert.equal(str(ds[0]?.type), 'prometheus');
    assert.equal(str(ds[0]?.url), 'http://prometheus:9090');
  });

  test("the exporter services' flags and option file load, naming the account the init scripts create", async () => {
    const services = obj(composeConfig().services);
    const cnfText = readFileSync(EXPORTER_CNF, 'utf8');
    const user = /^user\s*=\s*(\S+)/m.exec(cnfText)?.[1];
    const password = /^password\s*=\s*(\S+)/m.exec(cnfText)?.[1];
    assert.ok(user && password);
    for (const name of EXPORTERS) {
      const s = obj(services[name]);
      const argv = arr(s.command)
        .map(String)
        .map((a) => {
          const cnf = flagValue([a], 'config.my-cnf');
          return cnf ? `--config.my-cnf=${hostPathOf(s, cnf)}` : a;
        });
      const loaded = await loadConfig(argv, { HOME: tmpdir() });
      assert.equal(loaded.kind, 'config', name);
      if (loaded.kind !== 'config') continue;
      const client = loaded.config.modules.get('client');
      assert.equal(client?.credentials.user, user);
      assert.equal(client?.credentials.password, password);
      const want = flagValue(argv, 'mysqld.address') ?? '';
      const a = client?.address;
      assert.equal(a?.kind === 'socket' ? `unix://${a.path}` : `${a?.host}:${a?.port}`, want);
    }
    for (const file of ['deploy/mysql/init.sql', 'deploy/mariadb/init.sql']) {
      const sql = readFileSync(at(file), 'utf8');
      assert.match(
        sql,
        new RegExp(
          `CREATE USER IF NOT EXISTS '${user}'@'%'\\s+IDENTIFIED BY '${password}'\\s+WITH MAX_USER_CONNECTIONS 3;`,
        ),
        file,
      );
      assert.match(
        sql,
        new RegExp(
          `GRANT PROCESS, REPLICATION CLIENT, (SLAVE MONITOR, )?SELECT ON \\*\\.\\* TO '${user}'@'%';`,
        ),
      );
      assert.doesNotMatch(sql, /GRANT ALL|SUPER|WITH GRANT OPTION/i, file);
    }
  });
});

// ------------------------------------------------------------------------------------------------
// Dockerfile

interface Instruction {
  readonly op: string;
  readonly args: string;
}

function dockerfile(): {
  stages: { name: string; from: string; body: Instruction[] }[];
  args: Instruction[];
} {
  const text = readFileSync(at('Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const stages: { name: string; from: string; body: Instruction[] }[] = [];
  const args: Instruction[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const m = /^(\w+)\s+(.*)$/.exec(t);
    if (!m) continue;
    const ins = { op: m[1]!.toUpperCase(), args: m[2]!.trim() };
    if (ins.op === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      stages.push({ from: f?.[1] ?? '', name: f?.[2] ?? String(stages.length), body: [] });
    } else if (stages.length === 0) args.push(ins);
    else stages.at(-1)!.body.push(ins);
  }
  return { stages, args };
}

const execForm = (s: string): string[] => JSON.parse(s) as string[];

/** .dockerignore semantics: patterns relative to the context, last match wins, `!` re-includes. */
function dockerIgnored(path: string, patterns: readonly string[]): boolean {
  const toRe = (p: string) =>
    new RegExp(
      `^${p
        .replace(/^\/+/, '')
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*\*\//g, '%GLOBSTAR%')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')
        .replace(/%GLOBSTAR%/g, '(?:.*/)?')}$`,
    );
  const parts = path.split('/');
  let ignored = false;
  for (const raw of patterns) {
    const neg = raw.startsWith('!');
    const re = toRe(neg ? raw.slice(1) : raw);
    for (let i = 1; i <= parts.length; i++) {
      if (re.test(parts.slice(0, i).join('/'))) {
        ignored = !neg;
        break;
      }
    }
  }
  return ignored;
}

describe('Dockerfile', () => {
  test('multi-stage; production dependencies only; non-root; EXPOSE 9104; HEALTHCHECK; CLI entrypoint', () => {
    const { stages } = dockerfile();
    assert.ok(stages.length >= 2, 'multi-stage');
    const names = stages.map((s) => s.name);
    const final = stages.at(-1)!;
    const ops = (s: (typeof stages)[number], op: string) => s.body.filter((i) => i.op === op);

    const build = stages.find((s) => ops(s, 'RUN').some((r) => /npm run build/.test(r.args)));
    assert.ok(build, 'a stage runs npm run build');
    assert.ok(
      ops(build, 'RUN').some((r) => /npm ci\b/.test(r.args)),
      'the build stage uses npm ci',
    );
    assert.ok(
      stages.some((s) => ops(s, 'RUN').some((r) => /npm ci\b.*--omit=dev/.test(r.args))),
      'a stage installs production dependencies only (npm ci --omit=dev)',
    );
    // The final stage only copies: no compiler, no dev dependencies, no npm install.
    assert.deepEqual(ops(final, 'RUN'), [], 'the runtime stage runs nothing at build time');
    for (const c of ops(final, 'COPY')) {
      const from = /--from=(\S+)/.exec(c.args)?.[1];
      if (from) assert.ok(names.slice(0, -1).includes(from), `COPY --from=${from} names an earlier stage`);
    }
    assert.ok(
      ops(final, 'COPY').some((c) => /^--from=\S+\s+\S*dist\/src\s/.test(c.args)),
      'the runtime gets the compiled dist/src',
    );
    assert.ok(
      ops(final, 'COPY').some((c) => /^queries\s/.test(c.args)),
      'the runtime gets queries/',
    );
    const tsconfig = JSON.parse(readFileSync(at('tsconfig.json'), 'utf8')) as {
      compilerOptions: { outDir: string; rootDir: string };
    };
    assert.equal(posix.join(tsconfig.compilerOptions.outDir, 'src'), 'dist/src', 'tsc writes to dist/src');

    const user = ops(final, 'USER').at(-1)?.args ?? '';
    assert.ok(user && !/^(root|0)(:|$)/.test(user), `the runtime runs as a non-root user (USER ${user})`);
    assert.ok(
      ops(final, 'EXPOSE').some((e) => e.args.split(/\s+/).includes('9104')),
      'EXPOSE 9104',
    );
    const hc = ops(final, 'HEALTHCHECK').at(-1)?.args ?? '';
    assert.match(hc, /CMD \["node"/, 'HEALTHCHECK runs node (no curl in a slim image)');
    assert.match(hc, /-\/healthy|HEALTHCHECK_URL/);
    const ep = execForm(ops(final, 'ENTRYPOINT').at(-1)?.args ?? '[]');
    assert.deepEqual(ep, ['node', ...LAUNCH_FLAGS, 'dist/src/cli.js'], 'node, its launch flags, the CLI');
    const pkg = JSON.parse(readFileSync(at('package.json'), 'utf8')) as { bin: Record<string, string> };
    assert.ok(Object.values(pkg.bin).includes(ep.at(-1)!), 'the entrypoint is the package bin');
  });

  test('every COPY source exists and .dockerignore keeps it in the build context', () => {
    const { stages } = dockerfile();
    const ignore = readFileSync(at('.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    let copied = 0;
    for (const s of stages) {
      for (const c of s.body.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))) {
        const parts = c.args.split(/\s+/).filter((p) => !p.startsWith('--'));
        for (const src of parts.slice(0, -1)) {
          const p = at(src);
          assert.ok(existsSync(p), `COPY ${src}: missing`);
          for (const f of walk(p)) {
            copied++;
            const rel = relative(ROOT, f);
            assert.ok(!dockerIgnored(rel, ignore), `${rel} is copied but excluded by .dockerignore`);
          }
        }
      }
    }
    assert.ok(copied > 10);
    for (const secret of [
      '.git/config',
      'node_modules/yaml/package.json',
      'deploy/exporter/my.cnf',
      'test/x.ts',
    ])
      assert.ok(dockerIgnored(secret, ignore), `${secret} should stay out of the build context`);
  });

  test("the runtime stage's layout starts, answers, and passes its own HEALTHCHECK command", async (t) => {
    const { stages } = dockerfile();
    const final = stages.at(-1)!;
    const dir = mkdtempSync(join(tmpdir(), 'mysql-exporter-image-'));
    let child: ChildProcess | undefined;
    t.after(async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    });
    // What the three stages produce, without Docker: tsc's dist/src, package.json, queries/ and a
    // node_modules (the repository's; the image has production dependencies only).
    const tsc = run(process.execPath, [
      at('node_modules/typescript/bin/tsc'),
      '-p',
      at('tsconfig.build.json'),
      '--outDir',
      join(dir, 'dist'),
    ]);
    assert.equal(tsc.code, 0, `the build (npm run build in the image) fails:\n${tsc.out}`);
    // The image has production dependencies only: the compiled code may import nothing else.
    const pkgJson = JSON.parse(readFileSync(at('package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    const prod = new Set(Object.keys(pkgJson.dependencies ?? {}));
    for (const f of walk(join(dir, 'dist/src')).filter((x) => x.endsWith('.js'))) {
      const code = readFileSync(f, 'utf8');
      for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+)['"]([^'"]+)['"]/gm)) {
        const spec = m[1]!;
        if (spec.startsWith('.') || spec.startsWith('node:')) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        assert.ok(
          prod.has(name),
          `${relative(dir, f)} imports ${spec}, which is not a production dependency`,
        );
      }
    }
    cpSync(at('package.json'), join(dir, 'package.json'));
    cpSync(at('queries'), join(dir, 'queries'), { recursive: true });
    symlinkSync(at('node_modules'), join(dir, 'node_modules'), 'dir');

    const ep = execForm(final.body.filter((i) => i.op === 'ENTRYPOINT').at(-1)!.args);
    const cmd = execForm(final.body.filter((i) => i.op === 'CMD').at(-1)?.args ?? '[]');
    // The default CMD names the option file where the compose file mounts it.
    assert.deepEqual(cmd, ['--config.my-cnf=/etc/mysql-exporter/my.cnf']);
    const cli = (args: string[]) => [...ep.slice(1), ...args];
    const version = run(process.execPath, cli(['--version']), dir);
    assert.equal(version.code, 0, version.out);
    const pkgVersion = (JSON.parse(readFileSync(at('package.json'), 'utf8')) as { version: string }).version;
    assert.match(version.out, new RegExp(`version ${pkgVersion.replace(/\./g, '\\.')}`));

    const port = await freePort();
    child = spawn(
      process.execPath,
      cli([
        `--config.my-cnf=${EXPORTER_CNF}`,
        '--mysqld.address=127.0.0.1:1',
        `--web.listen-address=127.0.0.1:${port}`,
      ]),
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { HOME: dir, PATH: process.env.PATH ?? '' } },
    );
    let log = '';
    child.stdout?.on('data', (b: Buffer) => {
      log += b.toString();
    });
    child.stderr?.on('data', (b: Buffer) => {
      log += b.toString();
    });
    const metrics = await poll(`the CLI did not serve /metrics (log: ${log})`, 15_000, async () => {
      const r = await fetch(`http://127.0.0.1:${port}/metrics`);
      return r.status === 200 ? await r.text() : undefined;
    });
    assert.match(metrics, /^mysql_up 0$/m, 'no server on port 1: mysql_up 0');
    assert.match(metrics, new RegExp(`^mysql_exporter_build_info\\{[^}]*version="${pkgVersion}"`, 'm'));

    // The HEALTHCHECK command, exactly as the image runs it (exec form), with the image's ENV.
    const hc = final.body.filter((i) => i.op === 'HEALTHCHECK').at(-1)!.args;
    const hcCmd = execForm(hc.slice(hc.indexOf('CMD') + 3).trim());
    const envLine = final.body
      .filter((i) => i.op === 'ENV')
      .map((e) => e.args)
      .join(' ');
    const defaultUrl = /MYSQL_EXPORTER_HEALTHCHECK_URL=(\S+)/.exec(envLine)?.[1];
    assert.equal(defaultUrl, 'http://127.0.0.1:9104/-/healthy', 'the image checks its default port');
    const health = (url: string) =>
      spawnSync(process.execPath, hcCmd.slice(1), {
        env: { MYSQL_EXPORTER_HEALTHCHECK_URL: url },
        encoding: 'utf8',
        timeout: 10_000,
      }).status;
    assert.equal(hcCmd[0], 'node');
    assert.equal(health(`http://127.0.0.1:${port}/-/healthy`), 0, 'healthy exporter: exit 0');
    assert.equal(health(`http://127.0.0.1:${port}/no-such-path`), 1, 'HTTP error: exit 1');
    assert.equal(health(`http://127.0.0.1:${await freePort()}/-/healthy`), 1, 'nothing listening: exit 1');

    // The compose file's exporter healthcheck is the same command.
    const services = obj(composeConfig().services);
    for (const name of EXPORTERS)
      assert.deepEqual(arr(obj(obj(services[name]).healthcheck).test).map(String), ['CMD', ...hcCmd], name);

    // SIGTERM (docker stop) ends it cleanly.
    const exited = new Promise<number | null>((r) => child?.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, log);
  });
});

// ------------------------------------------------------------------------------------------------
// promtool

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

// ------------------------------------------------------------------------------------------------
// The dashboard, statically

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

// ------------------------------------------------------------------------------------------------
// Every expression, evaluated by a real Prometheus

/** What the server under test is: its flavor, and whether it is a standalone server or a replica. */
type Situation = 'mariadb' | 'mysql' | 'standalone';

/**
 * Series a server cannot feed in some situations, with the exporter configured as the compose
 * `exporter` service. An expression that selects one of them may return nothing there; every other
 * expression must return at least one finite sample. On the built-in server (a MariaDB replica)
 * each entry that applies must indeed be empty, so that the list stays true.
 */
const NOT_A_REPLICA = 'a standalone server: the replica status statement returns no rows';
const NO_HEARTBEAT = 'collect.heartbeat is off (it needs a pt-heartbeat table)';
const NO_WSREP = 'MySQL has no Galera (wsrep) variables';
const NO_DATA: Record<string, { readonly why: string; readonly on: readonly Situation[] }> = {
  mysql_global_status_innodb_row_ops_total: {
    why: 'MariaDB has no Innodb_rows_* status variables (MySQL and Percona Server only)',
    on: ['mariadb'],
  },
  mysql_slave_status_seconds_behind_master: { why: NOT_A_REPLICA, on: ['standalone'] },
  mysql_slave_status_sql_delay: { why: NOT_A_REPLICA, on: ['standalone'] },
  mysql_slave_status_slave_io_running: { why: NOT_A_REPLICA, on: ['standalone'] },
  mysql_slave_status_slave_sql_running: { why: NOT_A_REPLICA, on: ['standalone'] },
  'instance:mysql_slave_lag_seconds': { why: NOT_A_REPLICA, on: ['standalone'] },
  mysql_heartbeat_now_timestamp_seconds: { why: NO_HEARTBEAT, on: ['mariadb', 'mysql'] },
  mysql_heartbeat_stored_timestamp_seconds: { why: NO_HEARTBEAT, on: ['mariadb', 'mysql'] },
  'instance:mysql_heartbeat_lag_seconds': { why: NO_HEARTBEAT, on: ['mariadb', 'mysql'] },
  mysql_global_status_wsrep_local_state: {
    why: 'not a Galera node: MariaDB reports wsrep_local_state only inside a cluster',
    on: ['mariadb', 'mysql'],
  },
  mysql_global_status_wsrep_ready: { why: NO_WSREP, on: ['mysql'] },
  mysql_global_status_wsrep_cluster_status: { why: NO_WSREP, on: ['mysql'] },
  mysql_global_variables_wsrep_on: { why: NO_WSREP, on: ['mysql'] },
  mysql_global_variables_wsrep_desync: { why: NO_WSREP, on: ['mysql'] },
};

interface Sample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

interface PromResult {
  readonly status: string;
  readonly error?: string;
  readonly data?: { readonly resultType: string; readonly result: Sample[] };
}

function splitSql(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => !l.trim().startsWith('--'))
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

describe('every PromQL expression of the dashboard and the rules, on a real Prometheus scraping our exporter', () => {
  const external = process.env.MYSQL_EXPORTER_TEST_TARGET;
  const dir = mkdtempSync(join(tmpdir(), 'mysql-exporter-prom-'));
  let pair: ReplicationPair | undefined;
  let exp: TestExporter | undefined;
  let prom: ChildProcess | undefined;
  let promBase = '';
  const situations = new Set<Situation>();
  let stopWorkload = async () => {};
  const workloadErrors: string[] = [];
  const promLog = join(dir, 'prometheus.log');

  const query = async (expr: string): Promise<PromResult> => {
    const res = await fetch(`${promBase}/api/v1/query?${new URLSearchParams({ query: expr })}`);
    return (await res.json()) as PromResult;
  };
  const promLogTail = () => (existsSync(promLog) ? readFileSync(promLog, 'utf8').slice(-3000) : '');
  const applies = (name: string) => (NO_DATA[name]?.on ?? []).some((x) => situations.has(x));
  const noDataExpected = (expr: string) => selectorsOf(expr).map(metricName).filter(applies);
  const where = () => [...situations].join(' ');

  before(
    async () => {
      const prometheus = binary('prometheus', 'prometheus');
      // The exporter exactly as the compose `exporter` service runs it, but on this server.
      const services = obj(composeConfig().services);
      const composeArgs = arr(obj(services.exporter).command).map(String);
      let address: string;
      let writer: mysql.Connection;
      let reader: mysql.Connection;
      if (external) {
        address = external;
        const [host = '127.0.0.1', port = '3306'] = external.split(':');
        writer = await mysql.createConnection({
          host,
          port: Number(port),
          user: process.env.MYSQL_EXPORTER_TEST_ADMIN_USER ?? 'root',
          password: process.env.MYSQL_EXPORTER_TEST_ADMIN_PASSWORD ?? 'root-demo-password',
        });
        reader = writer;
      } else {
        // A MariaDB primary and replica; the exporter watches the replica, so that the replication
        // expressions have something to show. The compose MariaDB's init script is run for real on
        // the primary (account, grants, demo table) and reaches the replica through replication.
        pair = await startReplicationPair();
        await pair.primary.sql(...splitSql(readFileSync(at('deploy/mariadb/init.sql'), 'utf8')));
        await pair.catchUp();
        const replica = pair.replica;
        // Like the compose `exporter`, over the unix socket when the compose file says so.
        const composeAddress = flagValue(composeArgs, 'mysqld.address') ?? '';
        address = composeAddress.startsWith('unix://')
          ? `unix://${replica.socket}`
          : `127.0.0.1:${replica.port}`;
        writer = await pair.primary.connect();
        reader = await replica.connect();
      }
      const args = composeArgs
        .filter((a) => !a.startsWith('--config.my-cnf='))
        .map((a) => (a.startsWith('--mysqld.address=') ? `--mysqld.address=${address}` : a));
      exp = await startExporter(process.env.MYSQL_EXPORTER_TEST_MY_CNF ?? EXPORTER_CNF, args);

      const [v] = (await reader.query('SELECT VERSION() AS v')) as unknown as [{ v: string }[]];
      situations.add(/mariadb/i.test(v[0]?.v ?? '') ? 'mariadb' : 'mysql');

      // A small workload: writes and explicit transactions (on the primary), reads and sorts (on the
      // server the exporter watches).
      let running = true;
      const loop = (async () => {
        let i = 0;
        while (running) {
          try {
            await writer.query('INSERT INTO demo.events (payload) VALUES (?)', [`event ${i++}`]);
            await writer.query('BEGIN');
            await writer.query("UPDATE demo.events SET payload = CONCAT(payload, '') WHERE id = 1");
            await writer.query('COMMIT');
            await writer.query('BEGIN');
            await writer.query('DELETE FROM demo.events WHERE id < 0');
            await writer.query('ROLLBACK');
            await reader.query('BEGIN');
            await reader.query('SELECT COUNT(*) FROM demo.events');
            await reader.query('COMMIT');
            await reader.query('SELECT payload FROM demo.events ORDER BY RAND() LIMIT 5');
          } catch (err) {
            workloadErrors.push((err as Error).message);
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      stopWorkload = async () => {
        running = false;
        await loop;
        await writer.end().catch(() => {});
        if (reader !== writer) await reader.end().catch(() => {});
      };

      // Prometheus: our rule files, scraping the exporter every second.
      const port = await freePort();
      promBase = `http://127.0.0.1:${port}`;
      const cfg = [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        '  evaluation_interval: 1s',
        'rule_files:',
        `  - ${JSON.stringify(join(RULES_DIR, '*.yml'))}`,
        'scrape_configs:',
        '  - job_name: mysql',
        '    static_configs:',
        `      - targets: [${JSON.stringify(exp.url.replace(/^http:\/\//, ''))}]`,
        '',
      ].join('\n');
      writeFileSync(join(dir, 'prometheus.yml'), cfg);
      const logFd = openSync(promLog, 'a');
      prom = spawn(
        prometheus,
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--log.level=warn',
        ],
        { cwd: dir, stdio: ['ignore', logFd, logFd] },
      );
      const p = prom;
      await poll(`Prometheus did not become ready:\n${promLogTail()}`, 30_000, async () => {
        if (p.exitCode !== null) throw new Error(`prometheus exited: ${promLogTail()}`);
        return (await fetch(`${promBase}/-/ready`)).ok ? true : undefined;
      });
      // A few scrapes, and every rule evaluated after them.
      await poll(`no scrapes of ${exp.url}:\n${promLogTail()}`, 60_000, async () => {
        const r = await query('count_over_time(mysql_up[1m])');
        const n = Number(r.data?.result[0]?.value[1] ?? 0);
        return n >= 8 ? true : undefined;
      });
      await poll('rules not evaluated', 30_000, async () => {
        const r = (await (await fetch(`${promBase}/api/v1/rules`)).json()) as {
          data: { groups: { rules: { health: string }[] }[] };
        };
        const all = r.data.groups.flatMap((g) => g.rules);
        return all.length > 0 && all.every((x) => x.health !== 'unknown') ? true : undefined;
      });
      await new Promise((r) => setTimeout(r, 2000));
      const replicating = await query('mysql_slave_status_slave_sql_running');
      if ((replicating.data?.result ?? []).length === 0) situations.add('standalone');
      if (!external) assert.ok(!situations.has('standalone'), 'the exporter should see the replica status');
    },
    { timeout: 180_000 },
  );

  after(async () => {
    await stopWorkload();
    await stopChild(prom);
    await exp?.stop();
    await pair?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the scrape works: mysql_up 1, every collector succeeds, the workload ran', async () => {
    const up = await query('mysql_up');
    assert.equal(up.data?.result[0]?.value[1], '1', JSON.stringify(up));
    const failed = await query('mysql_exporter_collector_success == 0');
    assert.deepEqual(failed.data?.result, [], 'failing collectors');
    assert.deepEqual(workloadErrors.slice(0, 5), []);
  });

  test("the dashboard's template variables find the target", async () => {
    for (const label of ['job', 'instance']) {
      const r = (await (
        await fetch(
          `${promBase}/api/v1/label/${label}/values?${new URLSearchParams({ 'match[]': 'mysql_up' })}`,
        )
      ).json()) as { data: string[] };
      assert.equal(r.data.length, 1, `label_values(mysql_up, ${label})`);
    }
  });

  test('every dashboard expression parses, and returns data unless the server cannot feed it', async (t) => {
    const job = 'mysql';
    const instance = exp!.url.replace(/^http:\/\//, '');
    const problems: string[] = [];
    const targets = dashboardTargets(dashboard());
    assert.ok(targets.length > 30);
    let withData = 0;
    for (const target of targets) {
      const expr = target.expr
        .replace(/\$\{?__rate_interval\}?/g, '15s')
        .replace(/\$\{?__interval\}?/g, '5s')
        .replace(/\$\{?__range\}?/g, '1m')
        .replace(/\$\{?job\}?/g, job)
        .replace(/\$\{?instance\}?/g, instance.replace(/\./g, '\\\\.'));
      assert.doesNotMatch(expr, /\$/, `${target.panel}: unsubstituted variable in ${expr}`);
      const r = await query(expr);
      if (r.status !== 'success') {
        problems.push(`${target.panel}: ${expr}\n  -> ${r.error}`);
        continue;
      }
      const finite = (r.data?.result ?? []).filter((s) => Number.isFinite(Number(s.value[1])));
      const why = noDataExpected(expr);
      if (finite.length > 0) withData++;
      else if (why.length === 0) problems.push(`${target.panel}: no data for ${expr}`);
      else t.diagnostic(`no data (${where()}), as expected (${why.join(', ')}): ${target.panel}`);
    }
    assert.deepEqual(problems, []);
    t.diagnostic(`${withData} of ${targets.length} dashboard queries returned data (${where()})`);
  });

  test('every recording rule expression parses and returns data unless the server cannot feed it', async () => {
    const problems: string[] = [];
    for (const r of rules().filter((x) => x.kind === 'record')) {
      const res = await query(r.expr);
      if (res.status !== 'success') problems.push(`${r.name}: ${res.error}`);
      else if ((res.data?.result ?? []).length === 0 && noDataExpected(r.expr).length === 0)
        problems.push(`${r.name}: no data`);
      // The recorded series exists too (Prometheus evaluated the rule).
      const rec = await query(r.name);
      if ((rec.data?.result ?? []).length === 0 && !applies(r.name)) problems.push(`${r.name}: not recorded`);
    }
    assert.deepEqual(problems, []);
  });

  test('every alert expression parses, and every series it selects exists unless the server cannot feed it', async () => {
    const problems: string[] = [];
    for (const a of rules().filter((x) => x.kind === 'alert')) {
      const res = await query(a.expr);
      if (res.status !== 'success') {
        problems.push(`${a.name}: ${res.error}`);
        continue;
      }
      // On a healthy server under a light load no alert condition holds, except MySQLRestarted
      // (the server may just have started).
      if (a.name !== 'MySQLRestarted' && (res.data?.result ?? []).length > 0)
        problems.push(`${a.name} would fire: ${JSON.stringify(res.data?.result)}`);
      const selectors = selectorsOf(a.expr);
      assert.ok(selectors.length > 0, a.name);
      for (const s of selectors) {
        if (applies(metricName(s))) continue;
        const sr = await query(s);
        if ((sr.data?.result ?? []).length === 0) problems.push(`${a.name}: ${s} has no data`);
      }
    }
    assert.deepEqual(problems, []);
  });

  test('Prometheus evaluates every rule group without errors', async () => {
    const r = (await (await fetch(`${promBase}/api/v1/rules`)).json()) as {
      data: { groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[] };
    };
    const loaded = r.data.groups.flatMap((g) => g.rules);
    assert.equal(loaded.length, rules().length, 'every rule loaded');
    const bad = loaded
      .filter((x) => x.health !== 'ok')
      .map((x) => `${x.name}: ${x.health} ${x.lastError ?? ''}`);
    assert.deepEqual(bad, []);
  });

  test('the no-data exceptions are still true on this server', { skip: external !== undefined }, async () => {
    const used = new Set(
      [...dashboardTargets(dashboard()).map((t) => t.expr), ...rules().map((r) => r.expr)].flatMap((e) =>
        selectorsOf(e).map(metricName),
      ),
    );
    for (const [name, x] of Object.entries(NO_DATA)) {
      assert.ok(used.has(name) || name.includes(':'), `${name} is listed but no expression uses it`);
      if (!x.on.some((y) => situations.has(y))) continue;
      const r = await query(name);
      assert.deepEqual(r.data?.result, [], `${name} has data now: remove it from NO_DATA (${x.why})`);
    }
    // Sanity of the lexical selector extraction the checks above rely on.
    assert.deepEqual(selectorsOf('sum by (job) (rate(a_total{x="y"}[5m])) / on (job) b and c'), [
      'a_total{x="y"}',
      'b',
      'c',
    ]);
  });
});
