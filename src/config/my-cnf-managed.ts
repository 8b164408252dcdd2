/**
 * Option-file keys for MySQL 8 and managed servers (docs/managed.md): `get-server-public-key`,
 * `password-file`, `aws-iam-auth`, `aws-region`, `cloud-sql-proxy`, and the
 * `MYSQLD_EXPORTER_PASSWORD_FILE` environment variable. Values are collected per section by
 * my-cnf.ts; this module checks them against the section's address and TLS, and reads password
 * files. Problems never contain a value or a file's contents.
 */
import { resolve } from 'node:path';
import type { Address } from '../db/address.js';
import { type AuthExtras, isLoopbackHost } from '../db/auth-extras.js';
import type { Credentials, TlsSettings } from '../db/target-options.js';
import { ConfigError, type ConfigProblem } from '../errors.js';
import type { Env } from './my-cnf-expand.js';
import { parseBool } from './my-cnf-keys.js';
import { Secret } from '../model/secret.js';

export const PASSWORD_FILE_ENV = 'MYSQLD_EXPORTER_PASSWORD_FILE';
/** Larger password files are refused. */
export const MAX_PASSWORD_FILE_BYTES = 64 * 1024;

export const MANAGED_KEYS: ReadonlySet<string> = new Set([
  'get-server-public-key',
  'password-file',
  'aws-iam-auth',
  'aws-region',
  'cloud-sql-proxy',
]);

export interface ManagedSetting {
  readonly value: string | boolean;
  readonly section: string;
  readonly line: number | undefined;
  readonly key: string;
}

export type ManagedValues = Readonly<Record<string, ManagedSetting>>;

/** The value of one managed key as written (`text` undefined: a bare key, i.e. true for booleans). */
export function parseManagedValue(
  key: string,
  invert: boolean,
  text: string | undefined,
  baseDir: string,
): { value: string | boolean } | { error: string } {
  if (key === 'password-file' || key === 'aws-region') {
    if (text === undefined || text === '') return { error: 'needs a value: write "key = value"' };
    if (key === 'aws-region')
      return /^[a-z]{2}(-[a-z]+)+-\d$/.test(text)
        ? { value: text }
        : { error: 'must be an AWS region name such as eu-west-1' };
    return { value: resolve(baseDir, text) };
  }
  const b = text === undefined ? true : parseBool(text);
  if (b === undefined) return { error: 'expects a boolean: 1/0, true/false, on/off or yes/no' };
  return { value: invert ? !b : b };
}

/** `MYSQLD_EXPORTER_PASSWORD_FILE` as the `[client]` password-file default (below the file's keys). */
export function passwordFileFromEnv(env: Env, client: string): ManagedValues {
  const v = Object.hasOwn(env, PASSWORD_FILE_ENV) ? env[PASSWORD_FILE_ENV] : undefined;
  if (!v) return {};
  return { 'password-file': { value: resolve(v), section: client, line: undefined, key: PASSWORD_FILE_ENV } };
}

export interface PasswordSource {
  readonly section: string;
  readonly line: number | undefined;
  readonly key: string;
}

export interface ManagedResolution {
  readonly auth?: AuthExtras;
  /** The password comes from this file (absolute path), read by loadMyCnf. */
  readonly passwordFile?: { readonly path: string; readonly line: number | undefined; readonly key: string };
}

interface Report {
  error(line: number | undefined, key: string | undefined, message: string): void;
  warn(line: number | undefined, key: string | undefined, message: string): void;
}

const depth = (section: string) => section.split('.').length;

/** Which of `password` and `password-file` a section uses: the more specific wins; the file over the environment. */
function pickPasswordFile(
  name: string,
  file: ManagedSetting | undefined,
  password: PasswordSource | undefined,
  p: Report,
): boolean {
  if (!file) return false;
  if (!password) return true;
  const df = depth(file.section);
  const dp = depth(password.section);
  if (df !== dp) return df > dp;
  if (file.line !== undefined && password.line !== undefined) {
    p.error(file.line, file.key, `[${name}] sets both password and password-file; keep one`);
    return true;
  }
  if (file.line === undefined && password.line === undefined) {
    p.error(undefined, file.key, `both ${password.key} and ${file.key} are set; keep one`);
    return true;
  }
  return file.line !== undefined;
}

export function resolveManaged(
  name: string,
  m: ManagedValues,
  password: PasswordSource | undefined,
  address: Address,
  tls: TlsSettings,
  p: Report,
): ManagedResolution {
  const flag = (k: string) => m[k]?.value === true;
  const auth: { -readonly [K in keyof AuthExtras]: AuthExtras[K] } = {};
  const out: { auth?: AuthExtras; passwordFile?: NonNullable<ManagedResolution['passwordFile']> } = {};

  const gspk = m['get-server-public-key'];
  if (flag('get-server-public-key') && gspk) {
    auth.getServerPublicKey = true;
    if (tls.mode !== 'verify')
      p.warn(
        gspk.line,
        gspk.key,
        `[${name}] trusts the first RSA public key the server sends: anyone who can intercept the connection can read the password (prefer tls = true with ssl-ca, or server-public-key-path)`,
      );
  }

  const iam = m['aws-iam-auth'];
  const region = m['aws-region'];
  if (flag('aws-iam-auth') && iam) {
    if (address.kind !== 'tcp')
      p.error(iam.line, iam.key, `[${name}] aws-iam-auth needs a TCP address (the RDS endpoint)`);
    if (tls.mode !== 'verify')
      p.error(
        iam.line,
        iam.key,
        `[${name}] aws-iam-auth needs verified TLS: set tls = true and ssl-ca to the RDS CA bundle`,
      );
    auth.awsIam = typeof region?.value === 'string' ? { region: region.value } : {};
    if (password && password.line !== undefined)
      p.warn(password.line, password.key, `ignored by [${name}]: aws-iam-auth sends an IAM token instead`);
  } else if (region) {
    p.warn(region.line, region.key, `ignored by [${name}] because aws-iam-auth is not set there`);
  }

  const proxy = m['cloud-sql-proxy'];
  if (flag('cloud-sql-proxy') && proxy) {
    if (address.kind === 'tcp' && !isLoopbackHost(address.host))
      p.error(
        proxy.line,
        proxy.key,
        `[${name}] cloud-sql-proxy is for a proxy on this host: the address must be a loopback IP or localhost`,
      );
    auth.cloudSqlProxy = true;
  }

  const file = m['password-file'];
  if (!auth.awsIam && pickPasswordFile(name, file, password, p) && file && typeof file.value === 'string')
    out.passwordFile = { path: file.value, line: file.line, key: file.key };
  if (Object.keys(auth).length > 0) out.auth = Object.freeze(auth);
  return out;
}

/**
 * A password file's text as the password: UTF-8, at most MAX_PASSWORD_FILE_BYTES, one trailing
 * `\n` or `\r\n` dropped (what `echo` and most secret tools add). Undefined with a reason otherwise.
 */
export function passwordFromFile(bytes: Uint8Array): { password: string } | { problem: string } {
  if (bytes.length > MAX_PASSWORD_FILE_BYTES)
    return { problem: `names a file larger than ${MAX_PASSWORD_FILE_BYTES} bytes` };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { problem: 'names a file that is not valid UTF-8' };
  }
  const password = text.replace(/\r?\n$/, '');
  if (password === '') return { problem: 'names an empty file' };
  if (/[\r\n]/.test(password)) return { problem: 'names a file with more than one line' };
  return { password };
}

interface FileRef {
  readonly path: string;
  readonly line: number | undefined;
  readonly key: string;
}

function problem(source: string, ref: FileRef, message: string): ConfigProblem {
  return { source, ...(ref.line === undefined ? {} : { line: ref.line }), key: ref.key, message };
}

/** parseMyCnf (text only, no file system) cannot honour password files: one problem each. */
export function passwordFilesUnread(source: string, files: ReadonlyMap<string, FileRef>): ConfigProblem[] {
  return [...files.values()].map((f) =>
    problem(source, f, 'password files are read only when the option file is loaded from disk'),
  );
}

/**
 * Reads every module's password file into its credentials (loadMyCnf: at start and on each reload).
 * Throws one ConfigError naming key and line; never the path or the contents.
 */
export async function readPasswordFiles<M extends { readonly credentials: Credentials }>(
  source: string,
  files: ReadonlyMap<string, FileRef>,
  modules: ReadonlyMap<string, M>,
  readFile: (path: string) => Promise<Uint8Array>,
  describe: (err: unknown) => string,
): Promise<ReadonlyMap<string, M>> {
  if (files.size === 0) return modules;
  const errors: ConfigProblem[] = [];
  const out = new Map(modules);
  for (const [name, ref] of files) {
    const m = modules.get(name);
    if (!m) continue;
    let bytes: Uint8Array;
    try {
      bytes = await readFile(ref.path);
    } catch (err) {
      errors.push(problem(source, ref, describe(err)));
      continue;
    }
    const got = passwordFromFile(bytes);
    if ('problem' in got) {
      errors.push(problem(source, ref, got.problem));
      continue;
    }
    out.set(
      name,
      Object.freeze({
        ...m,
        credentials: Object.freeze({ ...m.credentials, password: Secret.of(got.password) }),
      }),
    );
  }
  if (errors.length > 0) throw new ConfigError(errors);
  return out;
}
