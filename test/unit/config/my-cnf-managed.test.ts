/** password-file / MYSQLD_EXPORTER_PASSWORD_FILE, aws-iam-auth, cloud-sql-proxy, get-server-public-key in option files. */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadMyCnf } from '../../../src/config/my-cnf.js';
import { ConfigError } from '../../../src/errors.js';
import { tempDir } from '../../helpers/tmp.js';

const dir = tempDir('mysql-exporter-managed-');
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text, { mode: 0o600 });
  return p;
};

test('password-file: read at every load, one trailing newline dropped, child beats parent', async () => {
  file('pw', 's3cret;#"x\n');
  const cnf = file('a.cnf', '[client]\nuser = u\npassword-file = pw\n[client.b]\npassword = child\n');
  let m = await loadMyCnf(cnf, { env: {} });
  assert.equal(m.modules.get('client')?.credentials.password.reveal(), 's3cret;#"x');
  assert.equal(m.modules.get('client.b')?.credentials.password.reveal(), 'child');
  file('pw', 'rotated\r\n');
  m = await loadMyCnf(cnf, { env: {} });
  assert.equal(
    m.modules.get('client')?.credentials.password.reveal(),
    'rotated',
    'a reload reads the file again',
  );
});

test('MYSQLD_EXPORTER_PASSWORD_FILE: the [client] default, below the file', async () => {
  const pw = file('env-pw', 'from-env-file');
  const cnf = file('b.cnf', '[client]\nuser = u\n');
  const m = await loadMyCnf(cnf, { env: { MYSQLD_EXPORTER_PASSWORD_FILE: pw } });
  assert.equal(m.modules.get('client')?.credentials.password.reveal(), 'from-env-file');
  const both = loadMyCnf(cnf, { env: { MYSQLD_EXPORTER_PASSWORD_FILE: pw, MYSQLD_EXPORTER_PASSWORD: 'x' } });
  await assert.rejects(both, ConfigError);
  const withKey = file('c.cnf', '[client]\nuser = u\npassword = in-file\n');
  const m2 = await loadMyCnf(withKey, { env: { MYSQLD_EXPORTER_PASSWORD_FILE: pw } });
  assert.equal(m2.modules.get('client')?.credentials.password.reveal(), 'in-file');
});

test('password-file problems name the key and line, never the path or the contents', async () => {
  file('empty', '');
  const cnf = file('d.cnf', '[client]\nuser = u\npassword-file = empty\n');
  const err = await loadMyCnf(cnf, { env: {} }).catch((e: unknown) => e);
  assert.ok(err instanceof ConfigError);
  assert.equal(err.problems[0]?.line, 3);
  assert.match(err.problems[0]?.message ?? '', /empty file/);
  const missing = file('e.cnf', '[client]\nuser = u\npassword-file = nope-secret-name\n');
  const err2 = await loadMyCnf(missing, { env: {} }).catch((e: unknown) => e);
  assert.ok(err2 instanceof ConfigError);
  assert.ok(!JSON.stringify(err2.problems).includes('nope-secret-name'));
  const two = file('f.cnf', '[client]\nuser = u\npassword = a\npassword-file = pw\n');
  await assert.rejects(loadMyCnf(two, { env: {} }), /both password and password-file/);
});

test('aws-iam-auth needs verified TLS over TCP; cloud-sql-proxy needs a loopback address', async () => {
  const ca = file('ca.pem', 'not checked here');
  const ok = file(
    'g.cnf',
    `[client]\nhost = db.example.com\nuser = u\naws-iam-auth = true\naws-region = eu-west-1\ntls = true\nssl-ca = ${ca}\n`,
  );
  const m = await loadMyCnf(ok, { env: {} });
  assert.deepEqual(m.modules.get('client')?.auth, { awsIam: { region: 'eu-west-1' } });
  const noTls = file('h.cnf', '[client]\nhost = db.example.com\nuser = u\naws-iam-auth = true\n');
  await assert.rejects(loadMyCnf(noTls, { env: {} }), /needs verified TLS/);
  const skip = file(
    'i.cnf',
    '[client]\nhost = db.example.com\nuser = u\naws-iam-auth = true\ntls = skip-verify\n',
  );
  await assert.rejects(loadMyCnf(skip, { env: {} }), /needs verified TLS/);
  const badRegion = file('j.cnf', '[client]\nuser = u\naws-region = mars\n');
  await assert.rejects(loadMyCnf(badRegion, { env: {} }), /AWS region/);
  const proxy = file(
    'k.cnf',
    '[client]\nhost = 127.0.0.1\nport = 3307\nuser = sa@project.iam\ncloud-sql-proxy = true\n',
  );
  assert.deepEqual((await loadMyCnf(proxy, { env: {} })).modules.get('client')?.auth, {
    cloudSqlProxy: true,
  });
  const remote = file('l.cnf', '[client]\nhost = 10.0.0.5\nuser = u\ncloud-sql-proxy = true\n');
  await assert.rejects(loadMyCnf(remote, { env: {} }), /loopback/);
});

test('get-server-public-key: accepted with a warning (the default stays: refuse)', async () => {
  const cnf = file('m.cnf', '[client]\nuser = u\n[client.k]\nget-server-public-key = true\n');
  const m = await loadMyCnf(cnf, { env: {} });
  assert.equal(m.modules.get('client')?.auth, undefined);
  assert.deepEqual(m.modules.get('client.k')?.auth, { getServerPublicKey: true });
  assert.ok(m.warnings.some((w) => /trusts the first RSA public key/.test(w.message)));
});
