/**
 * docker-compose.yml, checked for real on a machine without a Docker engine: `docker-compose config`
 * (Debian's docker-compose), every file it mounts or builds from, healthchecks, and the wiring between
 * the services (paths, names, ports) agree; the exporter services' own flags and option file load.
 * Shared parsing: test/helpers/deploy-files.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../src/assemble.js';
import {
  DASHBOARD,
  EXPORTERS,
  EXPORTER_CNF,
  ROOT,
  RULES_DIR,
  arr,
  at,
  binary,
  composeConfig,
  flagValue,
  hostPathOf,
  mountsOf,
  obj,
  run,
  str,
} from '../helpers/deploy-files.js';

const EXPECTED_SERVICES = ['exporter', 'exporter-mariadb', 'grafana', 'mariadb', 'mysql', 'prometheus'];

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
      assert.equal(client?.credentials.password.reveal(), password);
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
