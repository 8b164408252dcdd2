/**
 * Fake peers on loopback: a silent listener (accepts TCP, never speaks) that counts accepts and the
 * sockets still open, and a timed HTTP client that can give up mid-request.
 */
import { request } from 'node:http';
import { type Server, type Socket, createServer } from 'node:net';

export interface Listener {
  readonly port: number;
  /** Connections accepted so far. */
  accepts(): number;
  /** Sockets the peer has not closed yet. */
  open(): number;
  close(): Promise<void>;
}

/** Accepts and never answers (a frozen or black-holed database at the TCP level). */
export function silentListener(): Promise<Listener> {
  return listen((s) => {
    s.on('error', () => {});
  });
}

/** Accepts and closes at once; counts accepts (SSRF decoy). */
export function decoyListener(): Promise<Listener> {
  return listen((s) => {
    s.on('error', () => {});
    s.destroy();
  });
}

function listen(onSocket: (s: Socket) => void): Promise<Listener> {
  return new Promise((resolve, reject) => {
    let accepted = 0;
    const sockets = new Set<Socket>();
    const server: Server = createServer((s) => {
      accepted++;
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      onSocket(s);
    });
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve({
        port: typeof a === 'object' && a ? a.port : 0,
        accepts: () => accepted,
        open: () => sockets.size,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}

export interface HttpResult {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string | string[] | undefined>;
  /** Milliseconds from the request to the end of the body. */
  readonly ms: number;
}

export interface HttpOptions {
  readonly headers?: Record<string, string>;
  readonly method?: string;
  /** Give up (destroy the socket) after this many ms; the promise then rejects with `aborted`. */
  readonly abortAfterMs?: number;
  /** Hard bound on the whole request, so that a test can never hang (default 60 s). */
  readonly timeoutMs?: number;
}

export class AbortedRequest extends Error {
  constructor(readonly ms: number) {
    super(`request aborted by the client after ${ms} ms`);
  }
}

/** One request on its own connection (no keep-alive), timed. */
export function httpGet(url: string, opts: HttpOptions = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers ?? {}, agent: false });
    const hard = setTimeout(
      () => req.destroy(new Error(`no response within ${opts.timeoutMs ?? 60_000} ms`)),
      opts.timeoutMs ?? 60_000,
    );
    let aborted = false;
    const early =
      opts.abortAfterMs === undefined
        ? undefined
        : setTimeout(() => {
            aborted = true;
            req.destroy();
          }, opts.abortAfterMs);
    const done = () => {
      clearTimeout(hard);
      if (early) clearTimeout(early);
    };
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        done();
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          headers: res.headers,
          ms: performance.now() - t0,
        });
      });
      res.on('error', (err) => {
        done();
        reject(aborted ? new AbortedRequest(performance.now() - t0) : err);
      });
    });
    req.on('error', (err) => {
      done();
      reject(aborted ? new AbortedRequest(performance.now() - t0) : err);
    });
    req.end();
  });
}
