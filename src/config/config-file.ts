import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { missingOptionError, missingSectionError, readError, valueError, type OptionLocation } from './errors.ts';
import { interpolate } from './interpolate.ts';
import { DEFAULT_SECTION, parseConfig, type ParsedConfig, type RawOption } from './parse.ts';

const TRUE_WORDS = new Set(['1', 'yes', 'true', 'on']);
const FALSE_WORDS = new Set(['0', 'no', 'false', 'off']);
/** What Python's int() accepts once the value is stripped: a sign, digits, single underscores between digits. */
const INTEGER = /^[+-]?\d(?:_?\d)*$/;

/**
 * A parsed slapos.cfg (or any ConfigParser-style file). Reading follows
 * Python's ConfigParser so that existing files work unchanged; the typed
 * accessors exist so that no module parses option strings itself.
 *
 * Sections are case-sensitive, option names are not. DEFAULT's options appear
 * in every section. Values are interpolated (`%(name)s`, `%%`) when read
 * through `items` and the `get*` accessors, never through `raw`.
 */
export class ConfigFile {
  readonly filename: string;
  readonly #parsed: ParsedConfig;

  private constructor(parsed: ParsedConfig, filename: string) {
    this.#parsed = parsed;
    this.filename = filename;
  }

  /** Parses `text`; syntax errors (CONFIG_ERR_SYNTAX) name `filename` and the line. */
  static parse(text: string, filename: string): ConfigFile {
    return new ConfigFile(parseConfig(text, filename), filename);
  }

  /** Reads and parses a file (UTF-8); an unreadable file is CONFIG_ERR_READ. */
  static load(path: string): ConfigFile {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw readError(path, error);
    }
    return ConfigFile.parse(text, path);
  }

  /** Section names in file order, DEFAULT excluded. */
  sections(): string[] {
    return [...this.#parsed.sections.keys()];
  }

  hasSection(section: string): boolean {
    return this.#parsed.sections.has(section);
  }

  /** True when the option is set in the section or in DEFAULT. */
  has(section: string, option: string): boolean {
    return this.#find(section, option.toLowerCase()) !== undefined;
  }

  /** Option names of the section (its own first, then DEFAULT's); CONFIG_ERR_MISSING if no such section. */
  options(section: string): string[] {
    return [...this.#merged(section).keys()];
  }

  /** Every option of the section with its interpolated value. */
  items(section: string): Record<string, string> {
    const merged = this.#merged(section);
    return Object.fromEntries([...merged].map(([name, option]) => [name, this.#interpolated(section, name, option)]));
  }

  /** The value as written in the file (continuation lines joined), not interpolated. */
  raw(section: string, option: string): string | undefined {
    return this.#find(section, option.toLowerCase())?.value;
  }

  getString(section: string, option: string, fallback?: string): string {
    const found = this.#lookup(section, option, fallback);
    return found.kind === 'fallback' ? found.value : found.text;
  }

  /** Reads 1/yes/true/on and 0/no/false/off, case-insensitively, as Python's getboolean. */
  getBool(section: string, option: string, fallback?: boolean): boolean {
    const found = this.#lookup(section, option, fallback);
    if (found.kind === 'fallback') return found.value;
    const word = found.text.toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    throw valueError(found.at, found.text, 'a boolean (true/false, yes/no, on/off, 1/0)');
  }

  getInt(section: string, option: string, fallback?: number): number {
    const found = this.#lookup(section, option, fallback);
    if (found.kind === 'fallback') return found.value;
    const number = INTEGER.test(found.text) ? Number(found.text.replaceAll('_', '')) : Number.NaN;
    if (!Number.isSafeInteger(number)) throw valueError(found.at, found.text, 'an integer');
    return number;
  }

  /**
   * A filesystem path: `~` and `~/…` are expanded to the home directory, a
   * relative path is taken relative to the configuration file's directory.
   * An empty value counts as unset (SlapOS writes `key_file =` to mean "none"),
   * so the fallback is returned, or CONFIG_ERR_MISSING thrown. The fallback is
   * returned as given.
   */
  getPath(section: string, option: string, fallback?: string): string {
    const found = this.#lookup(section, option, fallback);
    if (found.kind === 'fallback') return found.value;
    if (found.text === '') {
      if (fallback !== undefined) return fallback;
      throw missingOptionError(this.filename, section, option.toLowerCase());
    }
    const expanded = found.text === '~' || found.text.startsWith('~/') ? homedir() + found.text.slice(1) : found.text;
    return resolve(dirname(resolve(this.filename)), expanded);
  }

  /**
   * A newline-separated list (blacklists, certificate lists, shared parts):
   * each line trimmed, empty lines dropped, as SlapOS reads those options.
   * A line is one item even if it contains spaces (`alias` lines are `name url`).
   */
  getList(section: string, option: string, fallback?: string[]): string[] {
    const found = this.#lookup(section, option, fallback);
    if (found.kind === 'fallback') return found.value;
    return found.text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  }

  #lookup<T>(section: string, option: string, fallback: T | undefined):
    { kind: 'fallback'; value: T } | { kind: 'value'; text: string; at: OptionLocation } {
    const name = option.toLowerCase();
    const found = this.#find(section, name);
    if (found === undefined) {
      if (fallback !== undefined) return { kind: 'fallback', value: fallback };
      if (section !== DEFAULT_SECTION && !this.hasSection(section)) throw missingSectionError(this.filename, section);
      throw missingOptionError(this.filename, section, name);
    }
    return { kind: 'value', text: this.#interpolated(section, name, found), at: this.#at(section, name, found) };
  }

  #find(section: string, name: string): RawOption | undefined {
    const own = section === DEFAULT_SECTION ? undefined : this.#parsed.sections.get(section);
    if (own === undefined && section !== DEFAULT_SECTION) return undefined;
    return own?.options.get(name) ?? this.#parsed.defaults.get(name);
  }

  #merged(section: string): Map<string, RawOption> {
    if (section === DEFAULT_SECTION) return this.#parsed.defaults;
    const own = this.#parsed.sections.get(section);
    if (own === undefined) throw missingSectionError(this.filename, section);
    const merged = new Map(own.options);
    for (const [name, option] of this.#parsed.defaults) if (!merged.has(name)) merged.set(name, option);
    return merged;
  }

  #interpolated(section: string, name: string, option: RawOption): string {
    if (!option.value.includes('%')) return option.value;
    return interpolate(option.value, (other) => this.#find(section, other)?.value, this.#at(section, name, option));
  }

  #at(section: string, option: string, found: RawOption): OptionLocation {
    return { filename: this.filename, section, option, line: found.line };
  }
}
