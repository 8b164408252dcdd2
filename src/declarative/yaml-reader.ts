/**
 * Typed reads over `yaml` document nodes that record a problem (file, line, key) instead of
 * throwing, so that one pass reports everything wrong with a file. Messages name keys and expected
 * types and never quote a value: a misplaced secret must not end up in a log.
 */
import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node, type Pair } from 'yaml';
import { parseDuration } from '../config/flags.js';
import type { ConfigProblem } from '../errors.js';

export type YamlNode = Node | null | undefined;

export interface Entry {
  readonly key: string;
  readonly path: string;
  readonly keyNode: YamlNode;
  readonly node: YamlNode;
}

/** Identifiers we may echo (keys, metric and column names), shortened so a stray long value cannot leak. */
export function quoteName(s: string): string {
  return JSON.stringify(s.length > 64 ? `${s.slice(0, 61)}...` : s);
}

export class YamlReader {
  constructor(
    readonly source: string,
    private readonly lines: LineCounter,
    private readonly problems: ConfigProblem[],
    private readonly doc: Document,
  ) {}

  /** Follows an alias (`*name`) to its anchored node. */
  private deref(node: unknown): YamlNode {
    if (isAlias(node)) return node.resolve(this.doc) as YamlNode;
    return node as YamlNode;
  }

  line(node: YamlNode): number | undefined {
    const start = node?.range?.[0];
    return start === undefined ? undefined : this.lines.linePos(start).line;
  }

  problem(node: YamlNode, key: string | undefined, message: string): void {
    const line = this.line(node);
    this.problems.push({
      source: this.source,
      ...(line === undefined ? {} : { line }),
      ...(key === undefined || key === '' ? {} : { key }),
      message,
    });
  }

  /** The entries of a mapping; unknown keys, non-string keys and aliases are reported. */
  entries(node: YamlNode, path: string, allowed: readonly string[]): Map<string, Entry> | undefined {
    if (!isMap(node)) {
      this.problem(node, path, 'expected a mapping (key: value)');
      return undefined;
    }
    const out = new Map<string, Entry>();
    for (const pair of node.items as Pair<unknown, unknown>[]) {
      const keyNode = pair.key as YamlNode;
      if (!isScalar(keyNode) || typeof keyNode.value !== 'string') {
        this.problem(keyNode ?? node, path, 'keys must be plain strings');
        continue;
      }
      const key = keyNode.value;
      // Keys are echoed in problems; a long one may be a misplaced value, so it is shortened.
      const shown = key.length > 64 ? `${key.slice(0, 61)}...` : key;
      const full = path === '' ? shown : `${path}.${shown}`;
      if (key === '<<') {
        this.problem(keyNode, full, 'merge keys are not supported; write the keys out');
        continue;
      }
      if (!allowed.includes(key)) {
        this.problem(keyNode, full, `unknown key (allowed: ${allowed.join(', ')})`);
        continue;
      }
      out.set(key, { key, path: full, keyNode, node: this.deref(pair.value) });
    }
    return out;
  }

  /** Pairs of a mapping whose keys are free-form (labels, values, value_map). */
  pairs(e: Entry): Array<{ key: string; keyNode: YamlNode; node: YamlNode }> | undefined {
    if (!isMap(e.node)) {
      this.problem(e.node ?? e.keyNode, e.path, 'expected a mapping');
      return undefined;
    }
    const out: Array<{ key: string; keyNode: YamlNode; node: YamlNode }> = [];
    for (const pair of e.node.items as Pair<unknown, unknown>[]) {
      const keyNode = pair.key as YamlNode;
      if (!isScalar(keyNode) || (typeof keyNode.value !== 'string' && typeof keyNode.value !== 'number')) {
        this.problem(keyNode ?? e.node, e.path, 'keys must be plain strings');
        continue;
      }
      out.push({ key: String(keyNode.value), keyNode, node: this.deref(pair.value) });
    }
    return out;
  }

  /** Items of a sequence. */
  items(e: Entry): YamlNode[] | undefined {
    if (!isSeq(e.node)) {
      this.problem(e.node ?? e.keyNode, e.path, 'expected a list');
      return undefined;
    }
    return e.node.items.map((item) => this.deref(item));
  }

  string(e: Entry | undefined, opts: { required?: boolean; nonEmpty?: boolean } = {}): string | undefined {
    if (!e) return undefined;
    const v = isScalar(e.node) ? e.node.value : undefined;
    if (typeof v !== 'string') {
      this.problem(e.node ?? e.keyNode, e.path, 'expected a string (quote it)');
      return undefined;
    }
    if ((opts.nonEmpty ?? true) && v.trim() === '') {
      this.problem(e.node, e.path, 'must not be empty');
      return undefined;
    }
    return v;
  }

  /** A required key: reports its absence at the mapping's line. */
  require(map: Map<string, Entry>, key: string, parent: YamlNode, path: string): Entry | undefined {
    const e = map.get(key);
    if (!e) this.problem(parent, path === '' ? key : `${path}.${key}`, 'is required');
    return e;
  }

  bool(e: Entry | undefined): boolean | undefined {
    if (!e) return undefined;
    const v = isScalar(e.node) ? e.node.value : undefined;
    if (typeof v !== 'boolean') {
      this.problem(e.node ?? e.keyNode, e.path, 'expected true or false');
      return undefined;
    }
    return v;
  }

  number(e: Entry | undefined): number | undefined {
    if (!e) return undefined;
    const v = isScalar(e.node) ? e.node.value : undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.problem(e.node ?? e.keyNode, e.path, 'expected a finite number');
      return undefined;
    }
    return v;
  }

  integer(e: Entry | undefined, min: number, max: number): number | undefined {
    if (!e) return undefined;
    const v = isScalar(e.node) ? e.node.value : undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.problem(e.node, e.path, `expected an integer from ${min} to ${max}`);
      return undefined;
    }
    return v;
  }

  /** `30s`, `500ms`, `5m`, `1h` or a number of seconds; returns milliseconds. */
  durationMs(e: Entry | undefined, minExclusiveZero: boolean, maxSeconds: number): number | undefined {
    if (!e) return undefined;
    const v = isScalar(e.node) ? e.node.value : undefined;
    const seconds = typeof v === 'number' ? v : typeof v === 'string' ? parseDuration(v) : undefined;
    if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) {
      this.problem(e.node ?? e.keyNode, e.path, 'expected a duration like 30s, 500ms or 5m');
      return undefined;
    }
    if (minExclusiveZero && seconds === 0) {
      this.problem(e.node, e.path, 'must be greater than 0');
      return undefined;
    }
    if (seconds > maxSeconds) {
      this.problem(e.node, e.path, `must be at most ${maxSeconds}s`);
      return undefined;
    }
    return Math.round(seconds * 1000);
  }
}
