/**
 * Runs after `tsc` in `npm run build`: makes dist/src/cli.js executable and stamps the git revision
 * into dist/src/build-info.json (MYSQL_EXPORTER_REVISION wins; outside a checkout it stays "unknown").
 * Plain JavaScript so that it runs without the dev toolchain.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

function gitRevision() {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    }).trim();
    return /^[0-9a-f]{40,64}$/.test(out) ? out : undefined;
  } catch {
    return undefined;
  }
}

const revision = process.env.MYSQL_EXPORTER_REVISION || gitRevision() || 'unknown';
writeFileSync(join(root, 'dist', 'src', 'build-info.json'), `${JSON.stringify({ revision })}\n`);
chmodSync(join(root, 'dist', 'src', 'cli.js'), 0o755);
