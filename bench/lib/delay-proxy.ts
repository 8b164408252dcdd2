/**
 * A user-space TCP proxy that emulates network distance: every chunk, in either direction, is
 * forwarded `oneWayMs` after it arrived (order kept: one delay for all, and Node fires timers of
 * one duration in the order they were set), so a request/response exchange takes 2 x oneWayMs more
 * than on loopback. Many listening ports can forward to one upstream: each port is a distinct target.
 *
 * It counts, per listening port, accepted connections and client flights: a flight is a client
 * chunk that follows server data (or opens the connection), i.e. one request the client sent after
 * it heard back, so a sequential exchange of N statements counts N flights and a batch counts one.
 * Ports may be switched "dead" (the connection is accepted and closed at once), to count how often
 * a client retries an unreachable target.
 */
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';

export interface PortStats {
  readonly port: number;
  connections: number;
  flights: number;
  open: number;
}

export interface DelayProxyOptions {
  readonly upstream: { readonly host: string; readonly port: number };
  readonly oneWayMs: number;
  /** Listening ports (distinct targets); 1 by default. */
  readonly ports?: number;
  readonly host?: string;
}

export class DelayProxy {
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly byPort = new Map<number, PortStats>();
  private readonly dead = new Set<number>();
  private oneWayMs: number;

  private constructor(private readonly opts: DelayProxyOptions) {
    this.oneWayMs = opts.oneWayMs;
  }

  static async start(opts: DelayProxyOptions): Promise<DelayProxy> {
    const p = new DelayProxy(opts);
    const n = opts.ports ?? 1;
    for (let i = 0; i < n; i++) await p.listen();
    return p;
  }

  get ports(): number[] {
    return [...this.byPort.keys()];
  }

  setDelay(oneWayMs: number): void {
    this.oneWayMs = oneWayMs;
  }

  /** A dead port accepts and closes every connection (counted) without reaching the upstream. */
  setDead(port: number, dead: boolean): void {
    if (dead) this.dead.add(port);
    else this.dead.delete(port);
  }

  stats(): PortStats[] {
    return [...this.byPort.values()].map((s) => ({ ...s }));
  }

  total(): { connections: number; flights: number; open: number } {
    let connections = 0;
    let flights = 0;
    let open = 0;
    for (const s of this.byPort.values()) {
      connections += s.connections;
      flights += s.flights;
      open += s.open;
    }
    return { connections, flights, open };
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = createServer({ noDelay: true }, (client) => this.accept(server, client));
      server.once('error', reject);
      server.listen(0, this.opts.host ?? '127.0.0.1', 2048, () => {
        const port = (server.address() as AddressInfo).port;
        this.byPort.set(port, { port, connections: 0, flights: 0, open: 0 });
        this.servers.push(server);
        resolve();
      });
    });
  }

  private accept(server: Server, client: Socket): void {
    const port = (server.address() as AddressInfo).port;
    const st = this.byPort.get(port)!;
    st.connections++;
    if (this.dead.has(port)) {
      client.on('error', () => {});
      client.destroy();
      return;
    }
    st.open++;
    const upstream = connect({ host: this.opts.upstream.host, port: this.opts.upstream.port, noDelay: true });
    this.sockets.add(client);
    this.sockets.add(upstream);
    let lastFromClient = false;
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      st.open--;
      // After the in-flight chunks: a FIN travels as far as data does.
      this.later(() => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      });
    };
    client.on('data', (chunk: Buffer) => {
      if (!lastFromClient) st.flights++;
      lastFromClient = true;
      this.later(() => upstream.write(chunk));
    });
    upstream.on('data', (chunk: Buffer) => {
      lastFromClient = false;
      this.later(() => client.write(chunk));
    });
    for (const s of [client, upstream]) {
      s.on('error', close);
      s.on('close', close);
    }
  }

  private later(fn: () => void): void {
    if (this.oneWayMs <= 0) fn();
    else setTimeout(fn, this.oneWayMs);
  }
}

/**
 * The proxy checked against a ping-pong: an echo server behind it, `n` one-byte exchanges in a row;
 * returns the measured round trips in ms (each should be about 2 x oneWayMs).
 */
export async function pingPong(oneWayMs: number, n: number): Promise<number[]> {
  const echo = createServer({ noDelay: true }, (s) => {
    s.on('data', (d) => s.write(d));
    s.on('error', () => {});
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
  const proxy = await DelayProxy.start({
    upstream: { host: '127.0.0.1', port: (echo.address() as AddressInfo).port },
    oneWayMs,
  });
  const sock = connect({ host: '127.0.0.1', port: proxy.ports[0]!, noDelay: true });
  await new Promise<void>((r, j) => {
    sock.once('connect', () => r());
    sock.once('error', j);
  });
  const times: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const back = new Promise<void>((r) => sock.once('data', () => r()));
      sock.write('x');
      await back;
      times.push(performance.now() - t);
    }
  } finally {
    sock.destroy();
    await proxy.close();
    await new Promise<void>((r) => echo.close(() => r()));
  }
  return times;
}
