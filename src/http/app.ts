/**
 * The HTTP surface: `createRouter` (mountable in any express app, the embedding API) and `createApp`
 * (a hardened standalone app). No I/O at import; everything comes in through `HttpDeps`.
 */
import type { Metric } from 'prom-client';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { AllowRule } from '../config/allow-rule.js';
import { checkTarget } from './probe-allow.js';
import { type Address, parseAddress } from '../db/address.js';
import { errorMessage } from '../errors.js';
import type { Exporter } from '../exporter.js';
import { UnknownModuleError } from '../exporter.js';
import { renderFormat } from '../exposition/render-format.js';
import { acceptsGzip } from './accept-encoding.js';
import { scrapeFamilies } from '../scrape/scrape-families.js';
import { ExpositionMemo } from '../exposition/memo.js';
import { negotiateFormat } from './negotiate.js';
import type { Logger } from '../log/logger.js';
import { UnknownCollectorError } from '../scrape/select.js';
import { TooManyWaitersError } from '../scrape/single-flight.js';
import type { DeadlineSettings } from '../config/deadline.js';
import { scrapeDeadline } from './deadline.js';
import { landingPage } from './landing.js';
import type { Drain } from './drain.js';
import { BadParamError, listParam, singleParam } from './params.js';

export interface HttpDeps {
  readonly exporter: Exporter;
  readonly log: Logger;
  readonly telemetryPath: string;
  readonly deadline: () => DeadlineSettings;
  readonly version: string;
  /** The /probe allow-list (deny by default). */
  readonly probeAllow?: () => readonly AllowRule[];
  /** Live prom-client metrics served on the telemetry path only (process, build info, an app's own). */
  readonly extraMetrics?: () => readonly Metric[];
  /** Re-reads configuration; resolves to an error message on failure. */
  readonly reload?: () => Promise<string | undefined>;
  /** --exporter.native_histograms: native histograms in protobuf responses (default false). */
  readonly nativeHistograms?: () => boolean;
  /** False while shutting down: /-/ready answers 503. */
  readonly ready?: () => boolean;
  /** The standalone server's shutdown: counts requests, answers 503 to new ones while draining. */
  readonly drain?: Drain;
}

/**
 * How long after the scrape deadline a caller still waits for its round. The round itself stops at
 * the deadline and returns what it has (mysql_up 0, or the collectors that finished); this slack lets
 * that answer be rendered instead of racing it with the caller's own timer.
 */
const ANSWER_GRACE_MS = 250;

/** Aborts when the client goes away before the response is sent, or shortly after the deadline. */
function requestSignal(req: Request, res: Response, deadlineMs: number): AbortSignal {
  const gone = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) gone.abort(new Error('client disconnected'));
  });
  void req;
  return AbortSignal.any([gone.signal, AbortSignal.timeout(deadlineMs + ANSWER_GRACE_MS)]);
}

/** The caller's own deadline fired (it joined a round that is still running). */
function isTimeout(err: unknown): boolean {
  return err instanceof Error && err.name === 'TimeoutError';
}

/** Writes the chunks in one go (corked: one writev), then ends the response. */
function sendChunks(res: Response, chunks: readonly Buffer[]): void {
  if (chunks.length > 1) res.cork();
  for (let i = 0; i < chunks.length - 1; i++) res.write(chunks[i]);
  res.end(chunks[chunks.length - 1]);
}

function sendText(res: Response, status: number, text: string): void {
  res.status(status).type('text/plain; charset=utf-8').send(`${text}\n`);
}

export function createRouter(deps: HttpDeps): Router {
  const router = express.Router();
  const { exporter, log } = deps;
  // Concurrent callers of one scrape round (single-flight) share its rendered text.
  const memos = new ExpositionMemo();

  const serveScrape = async (req: Request, res: Response, probe: boolean) => {
    try {
      const collect = listParam(req.query, 'collect[]');
      let module = 'client';
      let address: Address | undefined;
      if (probe) {
        const target = singleParam(req.query, 'target');
        if (target === undefined || target === '') return sendText(res, 400, 'target is required');
        const parsed = parseAddress(target);
        if (!parsed) return sendText(res, 400, 'target must be host:port or unix:///path');
        const decision = checkTarget(deps.probeAllow?.() ?? [], parsed);
        if (!decision.allowed) return sendText(res, decision.status, decision.reason);
        address = parsed;
        module = singleParam(req.query, 'auth_module') ?? 'client';
      }
      // Unknown collect[] names and auth modules are refused by exporter.scrape before any connection.
      const header = req.get('X-Prometheus-Scrape-Timeout-Seconds');
      const deadline = scrapeDeadline(header, deps.deadline());
      if (header !== undefined && header !== '' && deadline.source === 'default')
        log.debug('ignoring an unusable X-Prometheus-Scrape-Timeout-Seconds; using the default deadline', {
          value: header.slice(0, 32),
          deadline_seconds: deadline.seconds,
        });
      const deadlineMs = Math.round(deadline.seconds * 1000);
      const signal = requestSignal(req, res, deadlineMs);
      const result = await exporter.scrape({
        module,
        ...(address ? { address } : {}),
        ...(collect ? { collect } : {}),
        signal,
        deadlineMs,
      });
      // Process and exporter metrics belong on /metrics only, never on a target's /probe.
      const extra = probe ? [] : (deps.extraMetrics?.() ?? []);
      const gzip = acceptsGzip(req.get('Accept-Encoding'));
      const families = scrapeFamilies(result);
      const { format, contentType } = negotiateFormat(req.get('Accept'));
      const native = deps.nativeHistograms?.() === true;
      const body = await renderFormat(families, format, extra, gzip ? 'gzip' : undefined, {
        native,
        round: memos.of(result),
      });
      if (res.writableEnded || res.destroyed) return;
      // Not res.send: no ETag hash over a body that is different on every scrape, and the chunks
      // are written as they are (concurrent callers of one round share them; no joined copy).
      res.status(200).set({
        'Content-Type': contentType,
        'Content-Length': String(body.byteLength),
        ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
      });
      // Appended, not set: an embedding app may vary on other headers (e.g. Origin).
      res.vary('Accept');
      res.vary('Accept-Encoding');
      sendChunks(res, body.chunks);
    } catch (err) {
      if (res.destroyed) return;
      if (err instanceof BadParamError || err instanceof UnknownCollectorError)
        return sendText(res, 400, err.message);
      if (err instanceof TooManyWaitersError) return sendText(res, 503, err.message);
      if (isTimeout(err)) return sendText(res, 503, 'scrape deadline exceeded');
      if (err instanceof UnknownModuleError)
        return probe
          ? sendText(res, 400, 'unknown auth_module')
          : sendText(res, 500, 'no [client] section configured');
      log.error('scrape failed', { err: errorMessage(err) });
      sendText(res, 500, 'internal error');
    }
  };

  router.get(deps.telemetryPath, (req, res) => serveScrape(req, res, false));
  router.get('/probe', (req, res) => serveScrape(req, res, true));

  router.get('/', (_req, res) => {
    const state = exporter.state;
    res
      .status(200)
      .type('text/html; charset=utf-8')
      .send(
        landingPage({
          version: deps.version,
          telemetryPath: deps.telemetryPath,
          collectors: state.collectors,
          enabled: state.enabled,
          lastScrapes: exporter.lastScrapes(),
        }),
      );
  });
  router.get('/-/healthy', (_req, res) => sendText(res, 200, 'Healthy'));
  router.get('/-/ready', (_req, res) =>
    deps.ready && !deps.ready() ? sendText(res, 503, 'Shutting down') : sendText(res, 200, 'Ready'),
  );
  router.post('/-/reload', async (_req, res) => {
    if (!deps.reload) return sendText(res, 404, 'reload is not available');
    const problem = await deps.reload();
    if (problem === undefined) return sendText(res, 200, 'OK');
    sendText(res, 500, `failed to reload config: ${problem}`);
  });
  router.all('/-/reload', (_req, res) => {
    res.set('Allow', 'POST');
    sendText(res, 405, 'This endpoint requires a POST request.');
  });
  return router;
}

/** A standalone app: no x-powered-by, no stack traces in responses, 404 for everything else. */
export function createApp(deps: HttpDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('env', 'production');
  app.set('query parser', 'simple');
  if (deps.drain) app.use(deps.drain.middleware());
  app.use(createRouter(deps));
  app.use((_req, res) => sendText(res, 404, 'Not Found'));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    deps.log.error('request failed', { err: errorMessage(err) });
    if (!res.headersSent) sendText(res, 500, 'internal error');
  });
  return app;
}
