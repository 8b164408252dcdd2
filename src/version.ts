/**
 * Build identity. The version comes from package.json next to the sources (src/ via tsx, dist/src/
 * after tsc). The revision, first found wins: MYSQL_EXPORTER_REVISION; build-info.json stamped next to
 * the compiled code by `npm run build` (scripts/stamp-build.mjs); when run from source (a .ts file),
 * `git rev-parse HEAD` in the checkout; else `unknown`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface VersionInfo {
  readonly version: string;
  readonly revision: string;
}

const REVISION = /^[0-9A-Za-z][0-9A-Za-z._+-]{0,79}$/;

function stampedRevision(dir: string): string | undefined {
  const p = join(dir, 'build-info.json');
  if (!existsSync(p)) return undefined;
  try {
    const info = JSON.parse(readFileSync(p, 'utf8')) as { revision?: unknown };
    return typeof info.revision === 'string' && REVISION.test(info.revision) ? info.revision : undefined;
  } catch {
    return undefined;
  }
}

function checkoutRevision(dir: string): string | undefined {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    }).trim();
    return /^[0-9a-f]{40,64}$/.test(out) ? out : undefined;
  } catch {
    return undefined;
  }
}

function readPackageVersion(from: string): string {
  let dir = from;
  for (let i = 0; i < 4; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as { version?: unknown };
      return typeof pkg.version === 'string' ? pkg.version : 'unknown';
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

export function readVersion(env: Readonly<Record<string, string | undefined>>): VersionInfo {
  const file = fileURLToPath(import.meta.url);
  const dir = dirname(file);
  const fromEnv = env.MYSQL_EXPORTER_REVISION;
  const revision =
    (fromEnv ? fromEnv : undefined) ??
    stampedRevision(dir) ??
    (file.endsWith('.ts') ? checkoutRevision(dir) : undefined) ??
    'unknown';
  return { version: readPackageVersion(dir), revision };
}
