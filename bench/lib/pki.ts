/** A throwaway CA and a server certificate for 127.0.0.1 (openssl CLI), for TLS to the bench database. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tempDirs } from './db.js';

export interface BenchPki {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export function makeBenchPki(): BenchPki {
  const dir = mkdtempSync(join(tmpdir(), 'mysql-exporter-bench-pki-'));
  tempDirs.push(dir);
  const ssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl(
    [
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
    ].concat(['-subj', '/CN=mysql-exporter bench CA']),
  );
  writeFileSync(
    join(dir, 'server.ext'),
    'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  ssl([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=127.0.0.1',
  ]);
  ssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-set_serial',
      String(Date.now()),
    ].concat(['-days', '2', '-extfile', 'server.ext', '-out', 'server.pem']),
  );
  return { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key') };
}
