/**
 * deploy/kubernetes/: every object validated against the Kubernetes and Prometheus Operator schemas
 * (the validators the npm packages kubernetes-models and @kubernetes-models/prometheus-operator ship:
 * types, required fields, enums; no cluster, no network), then held to what a user relies on: non-root,
 * read-only root file system, probes on /-/healthy and /-/ready, memory sized from the measured RSS, the
 * option file from a Secret, container arguments our command accepts with that very option file, a
 * Probe whose targets the exporter's --probe.allow lets through, and a PrometheusRule that carries our
 * rule files unchanged.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, test } from 'node:test';
import {
  PodMonitor,
  Probe,
  PrometheusRule,
  ServiceMonitor,
} from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { Secret, Service } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/assemble.js';
import { checkTarget } from '../../src/http/probe-allow.js';
import { parseAddress } from '../../src/db/address.js';
import { prometheusRule } from '../../scripts/gen-prometheusrule.js';
import { tempDir } from '../helpers/tmp.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const DIR = join(ROOT, 'deploy/kubernetes');
/**
 * Peak RSS of the image with the default collectors on the benchmark's server (2000 tables), Node 24:
 * bench/launchers.ts, 2026-12-03 (110-112 MiB). Requests must cover it, limits leave headroom.
 */
const MEASURED_PEAK_MIB = 112;

type Obj = { apiVersion: string; kind: string; metadata: { name: string }; spec?: unknown } & Record<
  string,
  unknown
>;
type Validator = new (data: never) => { validate(): void };
const MODELS: Record<string, Validator> = {
  'v1/Secret': Secret as unknown as Validator,
  'v1/Service': Service as unknown as Validator,
  'apps/v1/Deployment': Deployment as unknown as Validator,
  'apps/v1/StatefulSet': StatefulSet as unknown as Validator,
  'monitoring.coreos.com/v1/PodMonitor': PodMonitor as unknown as Validator,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor as unknown as Validator,
  'monitoring.coreos.com/v1/Probe': Probe as unknown as Validator,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule as unknown as Validator,
};

function load(): Array<{ file: string; obj: Obj }> {
  const out: Array<{ file: string; obj: Obj }> = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, name.name);
      if (name.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(name.name))
        for (const doc of parseAllDocuments(readFileSync(p, 'utf8'))) {
          assert.deepEqual(doc.errors, [], `${p}: YAML errors`);
          out.push({ file: relative(ROOT, p), obj: doc.toJS() as Obj });
        }
    }
  };
  walk(DIR);
  return out;
}

interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}
interface PodSpec {
  securityContext?: Record<string, unknown>;
  containers: Container[];
  volumes?: Array<{ name: string; secret?: { secretName: string } }>;
}

const mib = (q: string): number => {
  const m = /^(\d+)(Mi|Gi)$/.exec(q);
  assert.ok(m, `memory quantity ${q} in Mi or Gi`);
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
};

function exporters(objs: Array<{ file: string; obj: Obj }>) {
  return objs
    .filter(({ obj }) => obj.kind === 'Deployment' || obj.kind === 'StatefulSet')
    .map(({ file, obj }) => {
      const pod = (obj.spec as { template: { spec: PodSpec } }).template.spec;
      const c = pod.containers.find((x) => x.image.startsWith('mysql-exporter'));
      assert.ok(c, `${file} ${obj.metadata.name}: an exporter container`);
      return { file, obj, pod, c };
    });
}

describe('deploy/kubernetes', () => {
  const objs = load();

  test('every object validates against its Kubernetes / Prometheus Operator schema', () => {
    assert.ok(objs.length >= 9, `${objs.length} objects`);
    for (const { file, obj } of objs) {
      const Model = MODELS[`${obj.apiVersion}/${obj.kind}`];
      assert.ok(Model, `${file}: no schema for ${obj.apiVersion} ${obj.kind}`);
      assert.doesNotThrow(
        () => new Model(obj as never).validate(),
        `${file}: ${obj.kind} ${obj.metadata.name}`,
      );
    }
    // The validators do catch mistakes: a string where an integer belongs.
    const dep = objs.find(({ obj }) => obj.kind === 'Deployment')!.obj;
    assert.throws(() =>
      new Deployment({ ...dep, spec: { ...(dep.spec as object), replicas: 'two' } } as never).validate(),
    );
    const probe = objs.find(({ obj }) => obj.kind === 'Probe')!.obj;
    assert.throws(() =>
      new Probe({
        ...probe,
        spec: { ...(probe.spec as object), interval: 'every minute' },
      } as never).validate(),
    );
    for (const kind of ['PodMonitor', 'ServiceMonitor', 'Probe', 'PrometheusRule', 'Secret', 'Service'])
      assert.ok(
        objs.some(({ obj }) => obj.kind === kind),
        `a ${kind}`,
      );
  });

  test('the exporter: non-root, read-only root fs, /-/healthy and /-/ready, memory from the measured RSS', () => {
    const ex = exporters(objs);
    assert.equal(ex.length, 2, 'the sidecar and the central /probe deployment');
    for (const { file, pod, c } of ex) {
      const sc = { ...pod.securityContext, ...c.securityContext };
      assert.equal(sc.runAsNonRoot, true, `${file}: runAsNonRoot`);
      assert.equal(sc.runAsUser, 1000, `${file}: the image's uid`);
      assert.equal(sc.readOnlyRootFilesystem, true, `${file}: read-only root file system`);
      assert.equal(sc.allowPrivilegeEscalation, false, file);
      assert.deepEqual((sc.capabilities as { drop?: string[] } | undefined)?.drop, ['ALL'], file);
      const listen = c.args?.find((a) => a.startsWith('--web.listen-address='));
      const port = Number(listen?.split(':').at(-1));
      const named = c.ports?.find((p) => p.containerPort === port)?.name;
      assert.ok(named, `${file}: a named container port for ${listen}`);
      assert.deepEqual(c.livenessProbe?.httpGet, { path: '/-/healthy', port: named });
      assert.deepEqual(c.readinessProbe?.httpGet, { path: '/-/ready', port: named });
      const req = mib(c.resources?.requests?.memory ?? '0Mi');
      const lim = mib(c.resources?.limits?.memory ?? '0Mi');
      assert.ok(
        req >= MEASURED_PEAK_MIB,
        `${file}: request ${req} Mi covers the measured ${MEASURED_PEAK_MIB} MiB`,
      );
      assert.ok(lim >= 2 * MEASURED_PEAK_MIB, `${file}: limit ${lim} Mi leaves room for a bigger scrape`);
      assert.equal(
        c.resources?.limits?.cpu,
        undefined,
        `${file}: no CPU limit (throttling stretches scrapes)`,
      );
    }
  });

  test("the option file comes from a Secret, and our command accepts each container's arguments with it", async () => {
    const secrets = new Map(
      objs.filter(({ obj }) => obj.kind === 'Secret').map(({ obj }) => [obj.metadata.name, obj] as const),
    );
    for (const { file, pod, c } of exporters(objs)) {
      const cnfArg = c.args?.find((a) => a.startsWith('--config.my-cnf='));
      assert.ok(cnfArg, `${file}: --config.my-cnf`);
      const cnfPath = cnfArg.slice('--config.my-cnf='.length);
      const mount = c.volumeMounts?.find((m) => m.mountPath === dirname(cnfPath));
      assert.ok(mount?.readOnly, `${file}: ${dirname(cnfPath)} mounted read-only`);
      const vol = pod.volumes?.find((v) => v.name === mount.name);
      const secret = secrets.get(vol?.secret?.secretName ?? '');
      assert.ok(secret, `${file}: the mount is a Secret in these files`);
      const text = (secret.stringData as Record<string, string>)[cnfPath.split('/').at(-1)!];
      assert.match(text ?? '', /^\[client\]$/m, `${file}: the Secret's key is the option file`);

      const dir = tempDir('mysql-exporter-k8s-');
      writeFileSync(join(dir, 'my.cnf'), text!, { mode: 0o600 });
      const args = c.args!.map((a) => (a === cnfArg ? `--config.my-cnf=${join(dir, 'my.cnf')}` : a));
      const loaded = await loadConfig(args, { HOME: dir });
      assert.equal(loaded.kind, 'config', `${file}: ${args.join(' ')}`);
    }
  });

  test("the Probe's targets and auth_module are ones the central exporter lets through", async () => {
    const central = exporters(objs).find(({ obj }) => obj.kind === 'Deployment')!;
    const probe = objs.find(({ obj }) => obj.kind === 'Probe')!.obj as unknown as {
      spec: {
        prober: { url: string; path: string };
        params: Array<{ name: string; values: string[] }>;
        targets: { staticConfig: { static: string[] } };
      };
    };
    assert.equal(probe.spec.prober.path, '/probe');
    const service = objs.find(
      ({ obj }) => obj.kind === 'Service' && obj.metadata.name === 'mysql-exporter',
    )!.obj;
    const port = (service.spec as { ports: Array<{ port: number }> }).ports[0]!.port;
    assert.match(probe.spec.prober.url, new RegExp(`^${service.metadata.name}\\.[a-z-]+\\.svc:${port}$`));
    const secretName = central.pod.volumes?.find((v) => v.secret)?.secret?.secretName;
    const secret = objs.find(({ obj }) => obj.kind === 'Secret' && obj.metadata.name === secretName)!.obj;
    const dir = tempDir('mysql-exporter-k8s-');
    writeFileSync(join(dir, 'my.cnf'), (secret.stringData as Record<string, string>)['my.cnf']!);
    const args = central.c.args!.map((a) =>
      a.startsWith('--config.my-cnf=') ? `--config.my-cnf=${join(dir, 'my.cnf')}` : a,
    );
    const loaded = await loadConfig(args, { HOME: dir });
    assert.ok(loaded.kind === 'config');
    const authModule = probe.spec.params.find((p) => p.name === 'auth_module')?.values[0];
    assert.ok(authModule && loaded.config.modules.has(authModule), `auth_module ${authModule} is a section`);
    for (const t of probe.spec.targets.staticConfig.static) {
      const a = parseAddress(t);
      assert.ok(a, t);
      assert.deepEqual(
        checkTarget(loaded.config.probeAllow, a),
        { allowed: true },
        `${t} allowed by --probe.allow`,
      );
    }
  });

  test('the PrometheusRule carries deploy/prometheus/rules/*.yml unchanged', () => {
    const rule = objs.find(({ obj }) => obj.kind === 'PrometheusRule')!.obj;
    assert.deepEqual(
      { apiVersion: rule.apiVersion, kind: rule.kind, metadata: rule.metadata, spec: rule.spec },
      prometheusRule(),
      'regenerate with: node --import tsx scripts/gen-prometheusrule.ts',
    );
    const groups = (rule.spec as { groups: Array<{ rules: unknown[] }> }).groups;
    assert.ok(groups.flatMap((g) => g.rules).length >= 10);
  });
});
