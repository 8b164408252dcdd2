/**
 * A small structured logger (logfmt or JSON lines) with levels. It never searches lines for secrets:
 * passwords are held as model/secret.ts `Secret`s, whose every string form is a fixed mask, and are never
 * passed to it, so a line is exactly what the code wrote.
 */
import type { LogFields, LogLevel, Logger } from '../model/logger.js';
import { Secret } from '../model/secret.js';

export type { LogFields, LogLevel, Logger };
export type LogFormat = 'logfmt' | 'json';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  write?: (line: string) => void;
  now?: () => Date;
}

function logfmtValue(v: unknown): string {
  let s: string;
  if (v instanceof Error) s = v.message;
  else if (v instanceof Secret) s = String(v);
  else if (typeof v === 'string') s = v;
  else if (v === undefined) s = '';
  else if (typeof v === 'object' && v !== null) s = JSON.stringify(v);
  else s = String(v);
  return /^[^\s"=\\]+$/.test(s) ? s : JSON.stringify(s);
}

function jsonValue(v: unknown): unknown {
  return v instanceof Error ? v.message : v;
}

export function createLogger(opts: LoggerOptions, bound: LogFields = {}): Logger {
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = opts.now ?? (() => new Date());
  const min = LEVELS[opts.level];
  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (LEVELS[level] < min) return;
    const all: LogFields = { ts: now().toISOString(), level, msg, ...bound, ...fields };
    let line: string;
    if (opts.format === 'json') {
      const obj: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(all)) if (v !== undefined) obj[k] = jsonValue(v);
      line = JSON.stringify(obj);
    } else {
      line = Object.entries(all)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${logfmtValue(v)}`)
        .join(' ');
    }
    write(line);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(opts, { ...bound, ...fields }),
    enabled: (level) => LEVELS[level] >= min,
  };
}

/** A logger that drops everything (embedding default, tests). */
export function silentLogger(): Logger {
  const l: Logger = {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: () => {},
    child: () => l,
    enabled: () => false,
  };
  return l;
}
