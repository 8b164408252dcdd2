/**
 * Dockerfile: its structure, every COPY source, and the runtime stage's layout (compiled CLI +
 * package.json + queries/ + node_modules) started for real, with its HEALTHCHECK command (no Docker
 * engine here). Shared parsing: test/helpers/deploy-files.ts.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { describe, test } from 'node:test';
import {
  EXPORTERS,
  EXPORTER_CNF,
  ROOT,
  arr,
  at,
  composeConfig,
  obj,
  run,
  stopChild,
  walk,
} from '../helpers/deploy-files.js';
import { freePort } from '../helpers/mariadb.js';
import { poll } from '../helpers/poll.js';
import { tempDir } from '../helpers/tmp.js';

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
    // No V8 flags here: the command picks a sidecar's or a fleet's from its arguments and relaunches.
    assert.deepEqual(ep, ['node', 'dist/src/cli.js'], 'node and the CLI');
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
    const dir = tempDir('mysql-exporter-image-');
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
