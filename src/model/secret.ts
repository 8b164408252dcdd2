/**
 * A password held so that it cannot be formatted by accident: every way JavaScript turns a value into
 * text (`String()`, template literals, `+`, `JSON.stringify`, `util.inspect`/console, `structuredClone`
 * of its fields) yields a fixed mask, and the value lives in a private field that none of them read.
 * Only `reveal()` returns it, and only the driver options (db/pool-options.ts) call it. Logs therefore
 * never need to search lines for the password (which garbled ordinary text that happened to match).
 */
import { inspect } from 'node:util';

export const SECRET_MASK = '<secret>';

export class Secret {
  readonly #value: string;

  private constructor(value: string) {
    this.#value = value;
    Object.freeze(this);
  }

  static of(value: string): Secret {
    return new Secret(value);
  }

  /** The password itself: for the database driver only. */
  reveal(): string {
    return this.#value;
  }

  get isEmpty(): boolean {
    return this.#value.length === 0;
  }

  equals(other: Secret): boolean {
    return this.#value === other.#value;
  }

  toString(): string {
    return SECRET_MASK;
  }

  toJSON(): string {
    return SECRET_MASK;
  }

  [Symbol.toPrimitive](): string {
    return SECRET_MASK;
  }

  [inspect.custom](): string {
    return `Secret(${SECRET_MASK})`;
  }
}
