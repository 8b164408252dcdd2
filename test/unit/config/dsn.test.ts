import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../../src/assemble.js';
import { parseDsn } from '../../../src/config/dsn.js';

test('DATA_SOURCE_NAME: the Go driver forms the Helm chart 1.x and mysqld_exporter <= 0.14 use', () => {
  assert.deepEqual(parseDsn('exporter:pw@(db.example:3307)/'), {
    user: 'exporter',
    password: 'pw',
    address: { kind: 'tcp', host: 'db.example', port: 3307 },
  });
  assert.deepEqual(parseDsn('exporter:p:w@x@tcp(10.0.0.1:3306)/mysql?tls=true'), {
    user: 'exporter',
    password: 'p:w@x',
    address: { kind: 'tcp', host: '10.0.0.1', port: 3306 },
  });
  assert.deepEqual(parseDsn('root@unix(/run/mysqld/mysqld.sock)/'), {
    user: 'root',
    password: undefined,
    address: { kind: 'socket', path: '/run/mysqld/mysqld.sock' },
  });
  assert.deepEqual(parseDsn('exporter:pw@/'), { user: 'exporter', password: 'pw', address: undefined });
  assert.equal(typeof parseDsn('exporter:secret-pw@db:3306'), 'string', 'no slash: refused');
  assert.equal(typeof parseDsn('u:p@ftp(db:21)/'), 'string');
  assert.equal(typeof parseDsn('u:p@unix(db:3306)/'), 'string');
});

test('DATA_SOURCE_NAME fills address, user and password; explicit flags win; a bad one is named, not echoed', async () => {
  const env = { HOME: '/nonexistent', DATA_SOURCE_NAME: 'exporter:dsn-pw@(db.example:3307)/' };
  const r = await loadConfig([], env);
  assert.equal(r.kind, 'config');
  if (r.kind !== 'config') return;
  const client = r.config.modules.get('client');
  assert.equal(client?.credentials.user, 'exporter');
  assert.equal(client?.credentials.password.reveal(), 'dsn-pw');
  assert.deepEqual(client?.address, { kind: 'tcp', host: 'db.example', port: 3307 });

  const f = await loadConfig(['--mysqld.address=other:3306', '--mysqld.username=me'], env);
  assert.equal(f.kind, 'config');
  if (f.kind !== 'config') return;
  assert.deepEqual(f.config.modules.get('client')?.address, { kind: 'tcp', host: 'other', port: 3306 });
  assert.equal(f.config.modules.get('client')?.credentials.user, 'me');

  const pwEnv = await loadConfig([], { ...env, MYSQLD_EXPORTER_PASSWORD: 'env-pw' });
  assert.equal(
    pwEnv.kind === 'config' && pwEnv.config.modules.get('client')?.credentials.password.reveal(),
    'env-pw',
  );

  await assert.rejects(
    loadConfig([], { HOME: '/nonexistent', DATA_SOURCE_NAME: 'exporter:leak-me@db:3306' }),
    (err: Error) => /DATA_SOURCE_NAME/.test(err.message) && !err.message.includes('leak-me'),
  );
});
