/**
 * Graceful shutdown of the HTTP side: counts requests until their response is finished, and once
 * draining answers every new request except the health checks with 503 at once (the port keeps
 * listening, so `/-/ready` says 503 instead of refusing connections).
 */
import type { NextFunction, Request, Response } from 'express';

const HEALTH_PATHS = new Set(['/-/healthy', '/-/ready']);

export class Drain {
  #active = 0;
  #draining = false;
  #idle: Array<() => void> = [];

  get draining(): boolean {
    return this.#draining;
  }

  /** Requests whose response is not finished yet. */
  get active(): number {
    return this.#active;
  }

  start(): void {
    this.#draining = true;
  }

  /** Resolves when no request is in flight. */
  idle(): Promise<void> {
    if (this.#active === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  middleware(): (req: Request, res: Response, next: NextFunction) => void {
    return (req, res, next) => {
      this.#active++;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        this.#active--;
        if (this.#active === 0) for (const r of this.#idle.splice(0)) r();
      };
      res.once('finish', finish);
      res.once('close', finish);
      if (this.#draining) {
        res.set('Connection', 'close');
        if (!HEALTH_PATHS.has(req.path)) {
          res.status(503).type('text/plain; charset=utf-8').send('shutting down\n');
          return;
        }
      }
      next();
    };
  }
}
