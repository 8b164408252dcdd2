/**
 * The Node.js releases the exporter supports (package.json `engines`): 24 LTS, and 22. Older ones may
 * still start; the command says at start-up that they are not supported rather than failing later in
 * an unrelated place.
 */
export const MIN_NODE_MAJOR = 22;

/** Why this Node.js version is not supported, or undefined when it is (`process.version`, e.g. v20.20.2). */
export function unsupportedNode(version: string): string | undefined {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  if (!Number.isInteger(major)) return undefined;
  return major < MIN_NODE_MAJOR
    ? `Node.js ${version} is not supported (end of life); use Node.js 24 LTS or ${MIN_NODE_MAJOR}`
    : undefined;
}
