/**
 * A minimal scrape client on node:http with a keep-alive agent (as Prometheus keeps its connections):
 * bodies are counted, not decoded, so that the client costs as little CPU as possible on the shared
 * machine. Sends Prometheus' scrape-timeout header; asks for gzip only with BENCH_GZIP=1.
 */
import http from 'node:http';

export interface Scrape {
  readonly ms: number;
  readonly bytes: number;
  readonly status: number;
}

const SCRAPE_TIMEOUT_S = Number(process.env.BENCH_SCRAPE_TIMEOUT ?? 30);

export class ScrapeClient {
  private readonly agent: http.Agent;
  constructor(
    private readonly base: string,
    maxSockets: number,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  get(path: string, keepBody = false): Promise<Scrape & { body?: string }> {
    const start = performance.now();
    return new Promise((resolve, reject) => {
      const req = http.get(
        `${this.base}${path}`,
        {
          agent: this.agent,
          headers: {
            accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1',
            'x-prometheus-scrape-timeout-seconds': String(SCRAPE_TIMEOUT_S),
            ...(process.env.BENCH_GZIP === '1' ? { 'accept-encoding': 'gzip' } : {}),
          },
        },
        (res) => {
          let bytes = 0;
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => {
            bytes += c.length;
            if (keepBody) chunks.push(c);
          });
          res.on('end', () =>
            resolve({
              ms: performance.now() - start,
              bytes,
              status: res.statusCode ?? 0,
              ...(keepBody ? { body: Buffer.concat(chunks).toString('utf8') } : {}),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface LoadResult {
  readonly scrapes: Scrape[];
  readonly errors: number;
  readonly elapsedMs: number;
}

/** `concurrency` scrapers, each scraping back to back, for `durationMs`. */
export async function closedLoop(
  base: string,
  path: string,
  concurrency: number,
  durationMs: number,
): Promise<LoadResult> {
  const client = new ScrapeClient(base, concurrency);
  const scrapes: Scrape[] = [];
  let errors = 0;
  const start = performance.now();
  const end = start + durationMs;
  const worker = async () => {
    while (performance.now() < end) {
      try {
        const s = await client.get(path);
        if (s.status === 200) scrapes.push(s);
        else errors++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - start;
  client.close();
  return { scrapes, errors, elapsedMs };
}

/** What Prometheus 2.x sends by default (OpenMetrics first); BENCH_ACCEPT=text/plain for classic text. */
export const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
