/** A throwaway CA and a server certificate for 127.0.0.1 (openssl CLI), in a temp dir removed when the process exits (or earlier by the caller). */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './tmp.js';

export interface TestCa {
  readonly dir: string;
  /** CA certificate path (PEM). */
  readonly caPath: string;
  /** Server certificate and key (PEM text), for servers started in-process. */
  readonly cert: string;
  readonly key: string;
  /** The same server certificate and key as file paths, for servers started as child processes. */
  readonly certPath: string;
  readonly keyPath: string;
}

export function makeTestCa(san = 'IP:127.0.0.1'): TestCa {
  const dir = tempDir('mysql-exporter-ca-');
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=mysql-exporter replay CA',
  ]);
  writeFileSync(
    join(dir, 'server.ext'),
    `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`,
  );
  run([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=replay.test',
  ]);
  run([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'server.ext',
  ]);
  return {
    dir,
    caPath: join(dir, 'ca.pem'),
    cert: readFileSync(join(dir, 'server.pem'), 'utf8'),
    key: readFileSync(join(dir, 'server.key'), 'utf8'),
    certPath: join(dir, 'server.pem'),
    keyPath: join(dir, 'server.key'),
  };
}
