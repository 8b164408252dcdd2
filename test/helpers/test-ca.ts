/**
 * The one builder of test certificates (openssl CLI): a throwaway CA, self-signed, and the server or
 * client certificates it signs. Files are `<name>.crt` and `<name>.key` (PEM) in a temp dir removed
 * when the process exits (or earlier by the caller), or in a directory the caller owns, so several
 * CAs can share one directory.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './tmp.js';

/** RSA 2048 or EC P-256. */
export type TestKeyType = 'rsa' | 'ec';

/** A certificate the CA signs. */
export interface TestLeafOptions {
  /** File stem: `<name>.crt` and `<name>.key`. */
  readonly name: string;
  /** Subject CN; default `name`. */
  readonly cn?: string;
  /** subjectAltName, e.g. `IP:127.0.0.1` or `DNS:db.test,IP:127.0.0.1`. */
  readonly san: string;
  /** Extended key usage; default `server`. */
  readonly usage?: 'server' | 'client';
  /** Serial number as openssl reads it (`1001`, `0x2002`); default a random one. */
  readonly serial?: string;
}

export interface TestCaOptions {
  /** Directory to write into (the caller removes it); default a new temp dir. */
  readonly dir?: string;
  /** File stem of the CA: `<name>.crt` and `<name>.key`; default `ca`. */
  readonly name?: string;
  /** Subject CN of the CA; default `mysql-exporter test <name>`. */
  readonly cn?: string;
  /** Key type of the CA and every certificate it signs; default `rsa`. */
  readonly keyType?: TestKeyType;
  /**
   * The certificates the CA signs; default one server certificate `server` (CN replay.test) for
   * IP:127.0.0.1. Pass `[]` for a lone self-signed certificate (the CA's own).
   */
  readonly leaves?: readonly TestLeafOptions[];
}

/** A certificate and its key, as file paths and as PEM text. */
export interface TestCert {
  readonly certPath: string;
  readonly keyPath: string;
  readonly cert: string;
  readonly key: string;
}

export interface TestCa {
  readonly dir: string;
  /** The CA's own (self-signed) certificate and key. */
  readonly ca: TestCert;
  /** CA certificate path (PEM); the same as `ca.certPath`. */
  readonly caPath: string;
  /** A certificate named in `leaves`; throws for any other name. */
  leaf(name: string): TestCert;
}

const DEFAULT_LEAVES: readonly TestLeafOptions[] = [
  { name: 'server', cn: 'replay.test', san: 'IP:127.0.0.1' },
];

export function makeTestCa(options: TestCaOptions = {}): TestCa {
  const dir = options.dir ?? tempDir('mysql-exporter-ca-');
  const name = options.name ?? 'ca';
  const keyType = options.keyType ?? 'rsa';
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const newKey =
    keyType === 'rsa'
      ? ['-newkey', 'rsa:2048', '-nodes']
      : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const files = (stem: string): TestCert => {
    const certPath = join(dir, `${stem}.crt`);
    const keyPath = join(dir, `${stem}.key`);
    return { certPath, keyPath, cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
  };

  run([
    'req',
    '-x509',
    ...newKey,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-subj',
    `/CN=${options.cn ?? `mysql-exporter test ${name}`}`,
  ]);
  const ca = files(name);

  const leaves = new Map<string, TestCert>();
  for (const leaf of options.leaves ?? DEFAULT_LEAVES) {
    const usage = leaf.usage ?? 'server';
    const keyUsage = keyType === 'rsa' ? 'digitalSignature,keyEncipherment' : 'digitalSignature';
    writeFileSync(
      join(dir, `${leaf.name}.ext`),
      `subjectAltName=${leaf.san}\nbasicConstraints=CA:FALSE\nkeyUsage=${keyUsage}\n` +
        `extendedKeyUsage=${usage === 'server' ? 'serverAuth' : 'clientAuth'}\n`,
    );
    run([
      'req',
      ...newKey,
      '-keyout',
      `${leaf.name}.key`,
      '-out',
      `${leaf.name}.csr`,
      '-subj',
      `/CN=${leaf.cn ?? leaf.name}`,
    ]);
    run([
      'x509',
      '-req',
      '-in',
      `${leaf.name}.csr`,
      '-CA',
      `${name}.crt`,
      '-CAkey',
      `${name}.key`,
      '-set_serial',
      leaf.serial ?? `0x${randomBytes(8).toString('hex').replace(/^./, '1')}`,
      '-days',
      '2',
      '-extfile',
      `${leaf.name}.ext`,
      '-out',
      `${leaf.name}.crt`,
    ]);
    leaves.set(leaf.name, files(leaf.name));
  }

  return {
    dir,
    ca,
    caPath: ca.certPath,
    leaf(leafName) {
      const found = leaves.get(leafName);
      if (found === undefined) throw new Error(`makeTestCa: no certificate named ${leafName}`);
      return found;
    },
  };
}
