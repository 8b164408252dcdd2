/**
 * Keeps a web config current while the exporter runs, as exporter-toolkit does by re-reading it on
 * every request, but cheaper: about once a second the config file and the certificate files it names
 * are stat()ed, and everything is read again when one changed. A file that no longer loads puts the
 * watcher in the broken state (every request answers 500) until a good version appears: it never
 * falls back to "no authentication".
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { type WebConfig, fileStamp, loadWebConfig } from './web-config-load.js';

export type WebState =
  | { readonly kind: 'ok'; readonly config: WebConfig | undefined }
  | { readonly kind: 'broken'; readonly reason: string };

export interface WatcherOptions {
  readonly log: Logger;
  /** How often files are stat()ed; default 1000 ms. */
  readonly intervalMs?: number;
  /** A reason to refuse a loaded config that cannot take effect without a restart. */
  readonly accept?: (next: WebConfig, running: WebConfig) => string | undefined;
  /** Makes an accepted config take effect (e.g. new certificates); a throw makes the state broken. */
  readonly apply?: (next: WebConfig) => void;
  readonly load?: (path: string) => Promise<WebConfig>;
}

export class WebConfigWatcher {
  readonly #path: string;
  readonly #opts: WatcherOptions;
  #good: WebConfig;
  #state: WebState;
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<void> | undefined;

  constructor(path: string, initial: WebConfig, opts: WatcherOptions) {
    this.#path = path;
    this.#good = initial;
    this.#state = { kind: 'ok', config: initial };
    this.#opts = opts;
  }

  get state(): WebState {
    return this.#state;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.check(), this.#opts.intervalMs ?? 1000);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Re-reads when a file changed (always when `force`, and always while broken). */
  check(force = false): Promise<void> {
    this.#checking ??= this.#run(force).finally(() => {
      this.#checking = undefined;
    });
    return this.#checking;
  }

  async #changed(): Promise<boolean> {
    for (const s of this.#good.stamps) if ((await fileStamp(s.path)) !== s.stamp) return true;
    return false;
  }

  async #run(force: boolean): Promise<void> {
    if (!force && this.#state.kind === 'ok' && !(await this.#changed())) return;
    let next: WebConfig;
    try {
      next = await (this.#opts.load ?? loadWebConfig)(this.#path);
      const refused = this.#opts.accept?.(next, this.#good);
      if (refused !== undefined) throw new Error(refused);
      this.#opts.apply?.(next);
    } catch (err) {
      const reason = errorMessage(err);
      if (this.#state.kind !== 'broken' || this.#state.reason !== reason)
        this.#opts.log.error('web config file is invalid; answering 500 until it is fixed', {
          file: this.#path,
          err: reason,
        });
      this.#state = { kind: 'broken', reason };
      return;
    }
    const wasBroken = this.#state.kind === 'broken';
    this.#good = next;
    this.#state = { kind: 'ok', config: next };
    this.#opts.log.info(wasBroken ? 'web config file fixed; serving again' : 'web config file reloaded', {
      file: this.#path,
    });
  }
}
