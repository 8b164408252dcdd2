/** `--web.listen-address` values: `:9104`, `host:9104`, `[::1]:9104`. */
export interface ListenAddress {
  readonly host: string | undefined;
  readonly port: number;
}

export function parseListenAddress(s: string): ListenAddress | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]*)):(\d{1,5})$/.exec(s.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  const host = m[1] ?? (m[2] === '' ? undefined : m[2]);
  return { host, port };
}
