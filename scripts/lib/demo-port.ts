/**
 * The demo's listen address: 127.0.0.1:9104 (the exporter's usual port) when it is free, otherwise a
 * free port chosen by the OS, with a line saying so and which flag pins one. An address the user gave
 * with --web.listen-address is kept as it is; when it is taken, the hint names the flag to change.
 */
import { createServer } from 'node:net';

export const DEMO_HOST = '127.0.0.1';
export const DEMO_PORT = 9104;

/** Resolves to the port actually bound (`port` 0: one the OS picks), or undefined when it is taken. */
export function tryListen(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(undefined);
      else reject(err);
    });
    s.listen({ host, port, exclusive: true }, () => {
      const addr = s.address();
      const bound = typeof addr === 'object' && addr ? addr.port : port;
      s.close(() => resolve(bound));
    });
  });
}

export interface DemoListen {
  /** The exporter argument to add, if any. */
  readonly arg: string | undefined;
  /** host:port the exporter will listen on. */
  readonly address: string;
  /** What to tell the user, if anything. */
  readonly note: string | undefined;
  /** The address the user gave is in use: the demo cannot start. */
  readonly taken?: boolean;
}

export async function chooseDemoListen(args: readonly string[]): Promise<DemoListen> {
  const given = args.filter((a) => a.startsWith('--web.listen-address')).at(-1);
  if (given) {
    const value = given.includes('=') ? given.slice(given.indexOf('=') + 1) : '';
    const m = /^(.*):(\d+)$/.exec(value);
    const host = m?.[1] || '0.0.0.0';
    const port = Number(m?.[2] ?? NaN);
    if (m && (await tryListen(host.replace(/^\[|\]$/g, ''), port)) === undefined)
      return {
        arg: undefined,
        address: value,
        note: `${value} is already in use: pick another port with --web.listen-address=${DEMO_HOST}:PORT (or :0 for any free one)`,
        taken: true,
      };
    return { arg: undefined, address: value, note: undefined };
  }
  if ((await tryListen(DEMO_HOST, DEMO_PORT)) !== undefined)
    return {
      arg: `--web.listen-address=${DEMO_HOST}:${DEMO_PORT}`,
      address: `${DEMO_HOST}:${DEMO_PORT}`,
      note: undefined,
    };
  const port = await tryListen(DEMO_HOST, 0);
  if (port === undefined) throw new Error('no free loopback port');
  return {
    arg: `--web.listen-address=${DEMO_HOST}:${port}`,
    address: `${DEMO_HOST}:${port}`,
    note: `port ${DEMO_PORT} is already in use: listening on ${DEMO_HOST}:${port} instead (choose one with --web.listen-address=${DEMO_HOST}:PORT)`,
  };
}
