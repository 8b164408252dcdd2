/**
 * Where the package's own `queries/` directory is: found by walking up from this module to the
 * package root, so that it works from `src/` (tsx), from `dist/src/` (after tsc) and when installed
 * under node_modules. Reads the file system when called, never at import.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function builtinQueriesDir(moduleUrl: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'queries')))
      return join(dir, 'queries');
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`cannot find the built-in queries/ directory above ${fileURLToPath(moduleUrl)}`);
}
