/**
 * A value that must never reach a log, metric, error, alert or journal row: private keys,
 * API secrets, passphrases. It redacts itself in every way JavaScript turns an object into
 * text (`String()`, template literals, `JSON.stringify`, `console.log` / `Bun.inspect`);
 * only `reveal()` gives the value, and only signing / auth code calls it.
 */
const REDACTED = "[redacted]";

export class Secret {
  readonly #value: string;
  constructor(
    value: string,
    readonly label = "secret",
  ) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  get empty(): boolean {
    return this.#value.length === 0;
  }
  toString(): string {
    return `${this.label}:${REDACTED}`;
  }
  toJSON(): string {
    return this.toString();
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
  [Bun.inspect.custom](): string {
    return this.toString();
  }
}
