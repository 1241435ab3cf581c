import { missingOption } from './errors.ts';
import { hasReference } from './substitute.ts';
import { isTypedText, loadValue } from './typed-text.ts';
import { pyStr, type Value } from './values.ts';

/**
 * The options of one section, as recipes see them: raw values from the
 * configuration (after macros), replaced by their substituted form once
 * resolved, plus what recipes set. Reads are tracked to warn about unused
 * options, as zc.buildout does.
 */
export class Options {
  private readonly data = new Map<string, Value>();
  private readonly used = new Set<string>();
  private readonly createdPaths: string[] = [];
  private readonly volatile = new Set<string>();

  constructor(readonly name: string, private readonly raw: ReadonlyMap<string, string>) {}

  /** The value, or undefined when the option does not exist. */
  get(key: string): Value | undefined {
    this.used.add(key);
    return this.data.has(key) ? this.data.get(key) : this.raw.get(key);
  }

  /** The value as text; without a fallback a missing option is an error. */
  getString(key: string, fallback?: string): string {
    const value = this.get(key);
    if (value === undefined) {
      if (fallback === undefined) throw missingOption(this.name, key);
      return fallback;
    }
    return pyStr(value);
  }

  has(key: string): boolean {
    return this.data.has(key) || this.raw.has(key);
  }

  set(key: string, value: Value): void {
    this.data.set(key, value);
  }

  keys(): string[] {
    return [...new Set([...this.raw.keys(), ...this.data.keys()])];
  }

  /** Every option with its current value, without marking them used. */
  entries(): [string, Value][] {
    return this.keys().map((key) => [key, this.data.has(key) ? this.data.get(key)! : this.raw.get(key)!]);
  }

  /** Options never written to `.installed.cfg` (secrets, values that change every run). */
  markVolatile(...keys: string[]): void {
    for (const key of keys) this.volatile.add(key);
  }

  isVolatile(key: string): boolean {
    return this.volatile.has(key);
  }

  /** Registers paths a failing install or update must remove. */
  created(...paths: string[]): void {
    this.createdPaths.push(...paths);
  }

  /** Paths registered with created() since the last call (the engine takes them). */
  takeCreated(): string[] {
    return this.createdPaths.splice(0);
  }

  /** Raw value still holding a `${...}` that has not been substituted. */
  pendingReference(key: string): string | undefined {
    if (this.data.has(key)) return undefined;
    const raw = this.raw.get(key);
    return raw !== undefined && hasReference(raw) ? raw : undefined;
  }

  /** Stores a substituted value (not a read: does not count as using it). */
  resolved(key: string, value: Value): void {
    this.data.set(key, value);
  }

  /** A raw value written by `dumps` stands for a typed value (typed-text.ts). */
  decodeTyped(key: string): void {
    const raw = this.raw.get(key);
    if (!this.data.has(key) && raw !== undefined && isTypedText(raw)) this.data.set(key, loadValue(raw));
  }

  markUsed(key: string): void {
    this.used.add(key);
  }

  unused(): string[] {
    return [...this.raw.keys()].filter((key) => !this.used.has(key));
  }
}
