/**
 * The container image as users run it: the real Dockerfile built with podman (`--format docker`, so
 * that HEALTHCHECK is kept), FROM a local stand-in of the official Node image (no image registry is
 * reachable here: scripts/base-image.sh builds it once per machine), run against a throwaway MariaDB.
 *
 * - default command, read-only root file system, no network at all (the server's unix socket mounted
 *   in, its path in the option file): /metrics says `mysql_up 1`, the process runs as uid 1000, the
 *   image's own HEALTHCHECK passes, SIGTERM (`podman stop`) ends it with exit code 0 within the grace;
 * - flags appended to `podman run` replace the default command (the ENTRYPOINT stays): host network,
 *   another option file path and listen address;
 * - built with `--build-arg REVISION=<the checkout's HEAD>`, it names that revision in
 *   mysql_exporter_build_info and `--version`;
 * - the image carries no dev dependency, no source map, no test file, no TypeScript source.
 *
 * Needs root, podman, runc and debootstrap (scripts/test.sh installs them). Fails when podman is missing.
 * The sandbox refuses to raise rlimits: every podman run/build passes --ulimit nofile/nproc=4096.
 */
import assert from 'node:assert/strict';
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LAUNCH_FLAGS } from '../../src/runtime/v8-tuning.js';
import { type MariaDb, freePort, sqlString, startMariaDb } from '../helpers/mariadb.js';
import { poll } from '../helpers/poll.js';
import { tempDir } from '../helpers/tmp.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const IMAGE = 'localhost/mysql-exporter:test';
const ULIMITS = ['--ulimit', 'nofile=4096:4096', '--ulimit', 'nproc=4096:4096'];
// crun refuses hosts with a hybrid cgroup v1/v2 hierarchy (this one); runc runs on both.
const RUNTIME = existsSync('/usr/bin/runc') || existsSync('/usr/sbin/runc') ? ['--runtime', 'runc'] : [];
const PASSWORD = 'img-pw;#"x';
const RUN_ID = `${process.pid}-${Date.now().toString(36)}`;

/** The revision the image is built with: the checkout's HEAD, or a fixed value outside a git checkout. */
function buildRevision(): string {
  const r = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8', timeout: 10_000 });
  const head = r.status === 0 ? r.stdout.trim() : '';
  return /^[0-9a-f]{40,64}$/.test(head) ? head : 'image-test-revision';
}
const REVISION = buildRevision();

function podman(args: string[], timeoutMs = 120_000): SpawnSyncReturns<string> {
  return spawnSync('podman', [...RUNTIME, ...args], { encoding: 'utf8', timeout: timeoutMs });
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  assert.equal(r.error, undefined, `${what}: ${r.error?.message}`);
  assert.equal(r.status, 0, `${what} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function imageId(ref: string): string | undefined {
  const r = podman(['image', 'inspect', '--format', '{{.Id}}', ref]);
  return r.status === 0 ? r.stdout.trim() : undefined;
}

const containers: string[] = [];
function run(name: string, args: string[]): string {
  const full = `mysql-exporter-test-${name}-${RUN_ID}`;
  containers.push(full);
  ok(
    podman(['run', '-d', '--name', full, ...ULIMITS, '--health-interval=disable', ...args]),
    `podman run ${name}`,
  );
  return full;
}

/** GET from inside the container with the image's own node (for a container without network). */
function fetchInside(container: string, url: string): { status: number; body: string } {
  const r = podman([
    'exec',
    container,
    'node',
    '-e',
    `fetch(${JSON.stringify(url)}).then(async r=>{process.stdout.write(r.status+"\\n"+await r.text())},e=>{process.stdout.write("0\\n"+e.message)})`,
  ]);
  const out = ok(r, `fetch ${url} in ${container}`);
  const nl = out.indexOf('\n');
  return { status: Number(out.slice(0, nl)), body: out.slice(nl + 1) };
}

function logs(container: string): string {
  const r = podman(['logs', container]);
  return `${r.stdout}${r.stderr}`;
}

describe('container image (podman, the real Dockerfile)', () => {
  let db: MariaDb | undefined;
  let dir = '';
  let image = IMAGE;

  before(async () => {
    const which = spawnSync('podman', ['--version'], { encoding: 'utf8' });
    if (which.error || which.status !== 0)
      throw new Error(
        'podman is missing: the image test builds and runs the real Dockerfile with it. Install it with ' +
          '`apt-get install podman runc debootstrap` (bash scripts/test.sh does this).',
      );
    // The stand-in for the Dockerfile's FROM image; a no-op once it exists.
    ok(
      spawnSync('bash', [join(ROOT, 'scripts/base-image.sh')], { encoding: 'utf8', timeout: 900_000 }),
      'scripts/base-image.sh',
    );
    dir = tempDir('mysql-exporter-image-');
    const previous = imageId(IMAGE);
    // The build context has no .git: the revision comes in as the Dockerfile's REVISION build arg.
    // The tests run the image by the ID this build wrote, not by the tag another checkout may retag.
    const iidFile = join(dir, 'image-id');
    ok(
      podman(
        [
          'build',
          '--format',
          'docker',
          ...ULIMITS,
          '--pull=never',
          '--build-arg',
          `REVISION=${REVISION}`,
          '--iidfile',
          iidFile,
          '-t',
          IMAGE,
          ROOT,
        ],
        900_000,
      ),
      'podman build',
    );
    image = readFileSync(iidFile, 'utf8').trim();
    // The build cache keeps the layers; the superseded image itself is not kept.
    const current = imageId(IMAGE);
    if (previous && previous !== current) podman(['rmi', previous]);

    db = await startMariaDb();
    // The container's user (uid 1000) reaches the socket in the server's directory and reads the file.
    chmodSync(db.dir, 0o755);
    await db.sql(
      ...['127.0.0.1', 'localhost'].flatMap((host) => [
        `CREATE USER 'exporter'@'${host}' IDENTIFIED BY ${sqlString(PASSWORD)} WITH MAX_USER_CONNECTIONS 5`,
        `GRANT PROCESS, REPLICATION CLIENT, SLAVE MONITOR, SELECT ON *.* TO 'exporter'@'${host}'`,
      ]),
    );
    writeFileSync(
      join(dir, 'socket.cnf'),
      `[client]\nuser = exporter\npassword = "${PASSWORD.replace(/"/g, '\\"')}"\nsocket = /run/mysqld/mysqld.sock\n`,
      { mode: 0o644 },
    );
    writeFileSync(
      join(dir, 'tcp.cnf'),
      `[client]\nhost = 127.0.0.1\nport = ${db.port}\nuser = exporter\npassword = "${PASSWORD.replace(/"/g, '\\"')}"\n`,
      { mode: 0o644 },
    );
  });

  after(async () => {
    for (const c of containers) podman(['rm', '-f', '-t', '0', c]);
    await db?.destroy();
  });

  test('default command, read-only, no network: mysql_up 1, uid 1000, HEALTHCHECK passes, SIGTERM exits 0', async () => {
    const c = run('default', [
      '--read-only',
      '--read-only-tmpfs=false',
      '--network=none',
      '-v',
      `${join(dir, 'socket.cnf')}:/etc/mysql-exporter/my.cnf:ro`,
      '-v',
      `${db!.dir}:/run/mysqld`,
      image,
    ]);
    const inspect = JSON.parse(ok(podman(['inspect', c]), 'inspect'))[0] as {
      Config: { Cmd: string[]; Entrypoint: string[] | string; User: string };
    };
    assert.deepEqual(inspect.Config.Cmd, ['--config.my-cnf=/etc/mysql-exporter/my.cnf']);

    const metrics = await poll('the image did not serve /metrics', 60_000, async () => {
      const r = fetchInside(c, 'http://127.0.0.1:9104/metrics');
      return r.status === 200 ? r.body : undefined;
    }).catch((err: Error) => assert.fail(`${err.message}\n${logs(c)}`));
    assert.match(metrics, /^mysql_up 1$/m, logs(c));
    assert.match(metrics, /^mysql_global_status_uptime \d+/m);
    const buildInfo =
      /^mysql_exporter_build_info\{.*\} 1$/m.exec(metrics)?.[0] ?? 'no mysql_exporter_build_info';
    assert.match(
      buildInfo,
      new RegExp(`[{,]revision="${REVISION}"[,}]`),
      'the revision the image was built from',
    );

    const ids = ok(podman(['exec', c, 'sh', '-c', 'id -u; id -g; grep ^Uid: /proc/1/status']), 'id');
    const [uid, gid, status] = ids.trim().split('\n');
    assert.equal(uid, '1000');
    assert.equal(gid, '1000');
    assert.match(status ?? '', /^Uid:\s+1000\s+1000\s+1000\s+1000$/, 'PID 1 (the exporter) runs as uid 1000');

    const write = podman(['exec', c, 'sh', '-c', 'touch /app/x || touch /tmp/x']);
    assert.notEqual(write.status, 0, 'the root file system is read-only');
    assert.match(write.stderr, /Read-only file system/);

    // The image's HEALTHCHECK, as kept by --format docker, run by podman in the container.
    const hc = JSON.parse(
      ok(podman(['image', 'inspect', '--format', '{{json .HealthCheck}}', image]), 'hc'),
    ) as {
      Test: string[];
    };
    assert.equal(hc.Test[0], 'CMD');
    assert.equal(hc.Test[1], 'node');
    const check = podman(['healthcheck', 'run', c]);
    assert.equal(check.status, 0, `HEALTHCHECK failed: ${check.stdout}${check.stderr}\n${logs(c)}`);

    const started = Date.now();
    ok(podman(['stop', '-t', '20', c], 60_000), 'podman stop');
    const took = Date.now() - started;
    const state = JSON.parse(ok(podman(['inspect', '--format', '{{json .State}}', c]), 'state')) as {
      ExitCode: number;
    };
    assert.equal(
      state.ExitCode,
      0,
      `SIGTERM: clean exit within the 20 s grace (took ${took} ms)\n${logs(c)}`,
    );
    assert.ok(took < 20_000, `stopped in ${took} ms, before the grace ran out`);
    assert.match(logs(c), /level=info.*(shut|stop)/i, 'it logged its shutdown');
  });

  test('flags appended to `podman run` replace the default command; host network, TCP', async () => {
    const port = await freePort();
    const c = run('flags', [
      '--read-only',
      '--read-only-tmpfs=false',
      '--network=host',
      '-v',
      `${join(dir, 'tcp.cnf')}:/config/exporter.cnf:ro`,
      '-e',
      `MYSQL_EXPORTER_HEALTHCHECK_URL=http://127.0.0.1:${port}/-/healthy`,
      image,
      '--config.my-cnf=/config/exporter.cnf',
      `--web.listen-address=127.0.0.1:${port}`,
      '--collect.info_schema.processlist',
    ]);
    // The processlist leaves out the exporter's own session (its only one, with the statements
    // batched): another client gives it a row to report.
    const client = await db!.connect();
    const metrics = await poll(`the image did not serve /metrics on ${port}`, 60_000, async () => {
      const r = await fetch(`http://127.0.0.1:${port}/metrics`);
      return r.status === 200 ? r.text() : undefined;
    })
      .catch((err: Error) => assert.fail(`${err.message}\n${logs(c)}`))
      .finally(() => client.end());
    assert.match(metrics, /^mysql_up 1$/m);
    assert.match(
      metrics,
      /^mysql_info_schema_processlist_seconds/m,
      'the appended collector flag is in force',
    );
    // PID 1's command line: node relaunched in place with its launch flags, the CLI, our flags only.
    const argv = ok(podman(['exec', c, 'cat', '/proc/1/cmdline']), 'cmdline')
      .split('\0')
      .filter(Boolean);
    assert.match(argv[0] ?? '', /(^|\/)node$/);
    assert.match(argv[1 + LAUNCH_FLAGS.length] ?? '', /(^|\/)dist\/src\/cli\.js$/);
    assert.deepEqual(
      [...argv.slice(1, 1 + LAUNCH_FLAGS.length), ...argv.slice(2 + LAUNCH_FLAGS.length)],
      [
        ...LAUNCH_FLAGS,
        '--config.my-cnf=/config/exporter.cnf',
        `--web.listen-address=127.0.0.1:${port}`,
        '--collect.info_schema.processlist',
      ],
    );
    assert.equal(podman(['healthcheck', 'run', c]).status, 0, 'HEALTHCHECK passes with its URL set');
    ok(podman(['stop', '-t', '20', c], 60_000), 'podman stop');
  });

  test('--version names the revision the image was built from', () => {
    const out = ok(podman(['run', '--rm', ...ULIMITS, '--network=none', image, '--version']), '--version');
    assert.match(out, /^mysql-exporter, version \S+ \(revision: (\S+)\)$/m);
    assert.equal(/\(revision: (\S+)\)/.exec(out)?.[1], REVISION);
  });

  test('the image carries no dev dependency, source map, test file or TypeScript source', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const script = [
      'cd /app',
      '(cd node_modules && ls -d * @*/* 2>/dev/null)',
      'echo ---',
      "find /app \\( -name '*.map' -o -name '*.test.*' -o -name '*.spec.*' -o -name '*.ts' ! -name '*.d.ts' -o -name test -o -name tests -o -name __tests__ -o -name spec -o -name specs -o -name fixtures \\) -print",
      'echo ---',
      'ls /app',
    ].join('; ');
    const out = ok(
      podman(['run', '--rm', ...ULIMITS, '--network=none', '--entrypoint', 'sh', image, '-c', script]),
      'ls',
    );
    const [modules = '', forbidden = '', top = ''] = out.split('---\n');
    const installed = new Set(modules.split('\n').filter(Boolean));
    for (const dep of Object.keys(pkg.dependencies))
      assert.ok(installed.has(dep), `production dependency ${dep} is in the image`);
    // The devDependencies and what only they pull in. (@types/node is also a dependency of mysql2's,
    // so npm installs it in production too.)
    const dev = [
      ...Object.keys(pkg.devDependencies).filter((d) => d !== '@types/node'),
      'esbuild',
      '@esbuild/linux-x64',
      '@biomejs/cli-linux-x64',
    ];
    for (const d of dev) assert.ok(!installed.has(d), `dev dependency ${d} is not in the image`);
    assert.ok(installed.size > 20, `the listing worked (${installed.size} packages)`);
    assert.equal(
      forbidden.trim(),
      '',
      `no source map, test file or TypeScript source in /app:\n${forbidden}`,
    );
    assert.deepEqual(top.split('\n').filter(Boolean).sort(), [
      'dist',
      'node_modules',
      'package.json',
      'queries',
    ]);
    const size = Number(ok(podman(['image', 'inspect', '--format', '{{.Size}}', image]), 'size'));
    const base = Number(
      ok(
        podman(['image', 'inspect', '--format', '{{.Size}}', 'docker.io/library/node:24-bookworm-slim']),
        'size',
      ),
    );
    process.stderr.write(
      `image: ${(size / 1e6).toFixed(1)} MB, of which the base ${(base / 1e6).toFixed(1)} MB\n`,
    );
    assert.ok(size - base < 40e6, `our layers add ${((size - base) / 1e6).toFixed(1)} MB (< 40 MB)`);
  });
});
