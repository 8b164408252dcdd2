/**
 * Reads a web config file and the certificate files it names, checks that they make a usable TLS
 * setup, and records what was read (file stamps) so that a watcher can tell when to read again.
 */
import { readFile, stat } from 'node:fs/promises';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { ConfigError, type ConfigProblem, errorMessage } from '../errors.js';
import { type PemRef, type WebConfigSpec, parseWebConfig } from './web-config.js';
import { type TlsMaterial, tlsContextOptions } from './tls.js';

/** What identifies one version of a file without reading it. */
export interface FileStamp {
  readonly path: string;
  readonly stamp: string;
}

export interface WebConfig extends WebConfigSpec {
  /** Present exactly when `tls` is. */
  readonly material: TlsMaterial | undefined;
  /** The config file and every file it names, as they were when read. */
  readonly stamps: readonly FileStamp[];
}

/** mtime, ctime, size and inode: changes on any rewrite, rename-over or truncation. */
export async function fileStamp(path: string): Promise<string> {
  try {
    const s = await stat(path, { bigint: true });
    return `${s.mtimeNs}:${s.ctimeNs}:${s.size}:${s.ino}`;
  } catch (err) {
    return `error:${(err as NodeJS.ErrnoException).code ?? 'unknown'}`;
  }
}

function readProblem(
  source: string,
  ref: { key: string; line: number | undefined },
  path: string,
  err: unknown,
) {
  const code = (err as NodeJS.ErrnoException).code;
  return {
    source,
    ...(ref.line === undefined ? {} : { line: ref.line }),
    key: ref.key,
    message: `cannot read ${path}: ${code ?? errorMessage(err)}`,
  };
}

/** Loads and checks a web config file; throws one ConfigError with every problem. */
export async function loadWebConfig(file: string): Promise<WebConfig> {
  const path = resolve(file);
  const stamps: FileStamp[] = [{ path, stamp: await fileStamp(path) }];
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError([
      {
        source: file,
        key: '--web.config.file',
        message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`,
      },
    ]);
  }
  const spec = parseWebConfig(text, file);
  if (!spec.tls) return { ...spec, material: undefined, stamps };

  const problems: ConfigProblem[] = [];
  const read = async (ref: PemRef): Promise<Buffer | undefined> => {
    if (ref.kind === 'inline') return Buffer.from(ref.pem, 'utf8');
    stamps.push({ path: ref.path, stamp: await fileStamp(ref.path) });
    try {
      return await readFile(ref.path);
    } catch (err) {
      problems.push(readProblem(file, ref, ref.path, err));
      return undefined;
    }
  };
  const tls = spec.tls;
  const cert = await read(tls.cert);
  const key = await read(tls.key);
  const ca = tls.clientCa ? await read(tls.clientCa) : undefined;
  const at = (ref: PemRef, message: string): ConfigProblem => ({
    source: file,
    ...(ref.line === undefined ? {} : { line: ref.line }),
    key: ref.key,
    message,
  });
  if (cert) {
    try {
      new X509Certificate(cert);
    } catch (err) {
      problems.push(at(tls.cert, `not a PEM certificate: ${errorMessage(err)}`));
    }
  }
  if (key) {
    try {
      createPrivateKey(key);
    } catch {
      problems.push(at(tls.key, 'not a PEM private key (or it is encrypted)'));
    }
  }
  if (ca && tls.clientCa) {
    try {
      new X509Certificate(ca);
    } catch (err) {
      problems.push(at(tls.clientCa, `not a PEM certificate: ${errorMessage(err)}`));
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  if (!cert || !key) throw new ConfigError([at(tls.cert, 'certificate or key missing')]);
  const material: TlsMaterial = { cert, key, ca };
  try {
    createSecureContext(tlsContextOptions(tls, material));
  } catch (err) {
    throw new ConfigError([
      {
        source: file,
        ...(tls.line === undefined ? {} : { line: tls.line }),
        key: 'tls_server_config',
        message: `the certificate, key and settings do not make a TLS context: ${errorMessage(err)}`,
      },
    ]);
  }
  return { ...spec, material, stamps };
}
