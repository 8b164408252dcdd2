/** Build identity, read from package.json next to the sources (src/ via tsx, dist/src/ after tsc). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface VersionInfo {
  readonly version: string;
  readonly revision: string;
}

export function readVersion(env: Readonly<Record<string, string | undefined>>): VersionInfo {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as { version?: unknown };
      return {
        version: typeof pkg.version === 'string' ? pkg.version : 'unknown',
        revision: env.MYSQL_EXPORTER_REVISION ?? 'unknown',
      };
    }
    dir = dirname(dir);
  }
  return { version: 'unknown', revision: env.MYSQL_EXPORTER_REVISION ?? 'unknown' };
}
