/**
 * Small typed readers for untrusted JSON. Each reader knows the file and the JSON path of the
 * value it reads, so every rejection says where and why (InputError). Hand-written rather than a
 * schema library because the interesting checks are cross-field (an order against the world's
 * maxOrder, a target against earlier ops) and need the same precise messages.
 */
import { InputError } from './inputError.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export class JsonReader {
  constructor(
    readonly file: string,
    readonly path: string,
    readonly value: unknown,
  ) {}

  fail(reason: string): never {
    throw new InputError(this.file, this.path, reason);
  }

  /** The reader of `key` inside this object (the value may be undefined). */
  field(key: string): JsonReader {
    const object = this.object();
    return new JsonReader(this.file, `${this.path}.${key}`, object[key]);
  }

  /** The readers of each element of this array. */
  items(): JsonReader[] {
    if (!Array.isArray(this.value)) this.fail(`expected an array, got ${describe(this.value)}`);
    return this.value.map(
      (item, index) => new JsonReader(this.file, `${this.path}[${index}]`, item),
    );
  }

  isMissing(): boolean {
    return this.value === undefined;
  }

  object(): Record<string, unknown> {
    const value = this.value;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.fail(`expected an object, got ${describe(value)}`);
    }
    return value as Record<string, unknown>;
  }

  /** Rejects keys other than `allowed`, so a misspelt field is an error, not a default. */
  onlyKeys(allowed: readonly string[]): void {
    for (const key of Object.keys(this.object())) {
      if (!allowed.includes(key)) {
        const reason = `unknown field '${key}' (expected one of: ${allowed.join(', ')})`;
        throw new InputError(this.file, `${this.path}.${key}`, reason);
      }
    }
  }

  integer(min: number, max: number, what = ''): number {
    const value = this.value;
    const range = `integer ${min}..${max}${what ? ` (${what})` : ''}`;
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      this.fail(`expected ${range}, got ${describe(value)}`);
    }
    if (value < min || value > max) this.fail(`expected ${range}, got ${value}`);
    return value;
  }

  integerOr(fallback: number, min: number, max: number, what = ''): number {
    return this.isMissing() ? fallback : this.integer(min, max, what);
  }

  string(): string {
    if (typeof this.value !== 'string') this.fail(`expected a string, got ${describe(this.value)}`);
    return this.value;
  }

  stringOr(fallback: string): string {
    return this.isMissing() ? fallback : this.string();
  }

  boolean(): boolean {
    if (typeof this.value !== 'boolean')
      this.fail(`expected true or false, got ${describe(this.value)}`);
    return this.value;
  }

  booleanOr(fallback: boolean): boolean {
    return this.isMissing() ? fallback : this.boolean();
  }

  oneOf<T extends string>(choices: readonly T[]): T {
    const value = this.value;
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
      this.fail(
        `expected one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${describe(value)}`,
      );
    }
    return value as T;
  }
}

/** A short, safe description of a JSON value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

/** Parses JSON text, turning a syntax error into an InputError naming the file. */
export function parseJsonText(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputError(file, '$', `malformed JSON: ${reason}`);
  }
}
