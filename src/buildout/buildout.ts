import { isAbsolute, join, resolve } from 'node:path';
import type { Logger } from '../log/index.ts';
import { finalizeSection, type RawConfig } from './config/raw.ts';
import { loadConfiguration, parseBuildoutBoolean, type Assignment } from './config/load.ts';
import { installParts } from './install.ts';
import { download, isUrl } from './download.ts';
import { BuildoutError, BuildoutErrorCode, missingSection } from './errors.ts';
import { Options } from './options.ts';
import type { Recipe, RecipeEntry, RecipeHost, RecipeRegistry } from './recipe.ts';
import { substitute, type Reference } from './substitute.ts';
import { loadValue } from './typed-text.ts';
import { pyStr, type Value } from './values.ts';

export interface BuildoutSettings {
  config: RawConfig;
  registry: RecipeRegistry;
  logger: Logger;
  /** Where recipes' child processes write (default: dropped). */
  output?: (chunk: string | Buffer) => void;
  /**
   * true: sections get their macros but are not initialised — no recipe is
   * constructed and each option is substituted only when read, so one
   * failing option does not hide the others (annotate --resolve).
   */
  resolveOnly?: boolean;
}

/** A part whose recipe was constructed, in the order zc.buildout installs them. */
export interface InitializedPart {
  name: string;
  options: Options;
  recipe: Recipe;
  entry: RecipeEntry;
}

/**
 * `[buildout]` options zc.buildout knows (most are about Python eggs and
 * are accepted and ignored here), never reported as unused.
 */
const KNOWN_SETTINGS = [
  'directory', 'parts', 'installed', 'bin-directory', 'parts-directory', 'develop-eggs-directory', 'eggs-directory',
  'offline', 'newest', 'extends-cache', 'download-cache', 'log-level', 'log-format', 'verbosity', 'socket-timeout',
  'versions', 'find-links', 'index', 'allow-hosts', 'allow-picked-versions', 'prefer-final', 'use-dependency-links',
  'show-picked-versions', 'update-versions-file', 'executable', 'python', 'install-from-cache', 'abi-tag-eggs',
  'allow-unknown-extras', 'networkcache-section', 'shared-part-list', 'build-time-part-list', 'develop', 'extensions',
];

/** Directory options made absolute against `buildout:directory` (§2.6). */
const DIRECTORY_OPTIONS = ['bin-directory', 'parts-directory', 'develop-eggs-directory', 'eggs-directory', 'download-cache', 'extends-cache', 'installed'];
/** Of those, the ones zc.buildout also makes absolute in the raw configuration (before substitution). */
const RAW_DIRECTORY_OPTIONS = DIRECTORY_OPTIONS.filter((key) => key !== 'installed');
/**
 * zc.buildout makes these absolute (abspath, relative to the buildout
 * directory here) as soon as the files are merged; the others are only
 * joined, after substitution (`a/../b` stays).
 */
export const NORMALISED_DIRECTORIES: ReadonlySet<string> = new Set(['download-cache', 'extends-cache', 'eggs-directory']);

/** A directory option's absolute value, as zc.buildout computes it. */
export function absoluteDirectory(key: string, value: string, directory: string): string {
  const expanded = value.replace(/^~(?=\/|$)/, () => process.env.HOME ?? '~');
  if (NORMALISED_DIRECTORIES.has(key)) return resolve(directory, expanded);
  if (isAbsolute(expanded)) return expanded;
  return directory.endsWith('/') ? `${directory}${expanded}` : `${directory}/${expanded}`;
}

/**
 * The configuration being run: sections are initialised lazily, the first
 * time they are used, exactly in zc.buildout's order — macros applied,
 * `${}` substituted (pulling in referenced sections first), then the recipe
 * constructed. Parts are listed in the order their recipes were constructed.
 */
export class Buildout implements RecipeHost {
  readonly logger: Logger;
  private readonly config: RawConfig;
  private readonly registry: RecipeRegistry;
  private readonly output: (chunk: string | Buffer) => void;
  private readonly resolveOnly: boolean;
  private readonly sections = new Map<string, Options>();
  /** `section:option` being substituted, innermost last (cycle detection). */
  private readonly resolving: string[] = [];
  /** The same, as a set: the cycle check stays cheap on long reference chains. */
  private readonly resolvingSet = new Set<string>();
  /** Sections with their macros applied, built once each (a macro is shared by many sections). */
  private readonly expanded = new Map<string, ReadonlyMap<string, string>>();
  private readonly initialized: InitializedPart[] = [];
  /** Errors that already say which option they come from (the innermost one does). */
  private readonly located = new WeakSet<Error>();
  private settings?: Options;

  constructor(settings: BuildoutSettings) {
    this.config = settings.config;
    this.registry = settings.registry;
    this.logger = settings.logger;
    this.output = settings.output ?? (() => undefined);
    this.resolveOnly = settings.resolveOnly ?? false;
  }

  /** Initialises `[buildout]` (first thing a run does) and checks what this engine cannot honour. */
  async start(): Promise<Options> {
    const options = await this.settingsSection();
    parseBuildoutBoolean('offline', options.getString('offline'));
    parseBuildoutBoolean('newest', options.getString('newest'));
    for (const key of ['develop', 'extensions']) {
      const value = options.getString(key, '').trim();
      if (value !== '') {
        throw new BuildoutError(BuildoutErrorCode.UNSUPPORTED,
          `The [buildout] option '${key}' (${value}) needs a Python zc.buildout; configure the node to use one for this profile.`);
      }
    }
    for (const key of KNOWN_SETTINGS) options.markUsed(key);
    return options;
  }

  /** `[buildout]` with its directory options made absolute, as zc.buildout starts. */
  async settingsSection(): Promise<Options> {
    const options = await this.section('buildout');
    const directory = pyStr(await this.lookup(options, 'directory', 'buildout'));
    for (const key of DIRECTORY_OPTIONS) {
      if (!options.has(key)) continue;
      const value = pyStr(await this.lookup(options, key, 'buildout'));
      if (value !== '') options.set(key, absoluteDirectory(key, value, directory));
    }
    return options;
  }

  /**
   * A section's options before substitution: macros applied (`<` dropped);
   * for `[buildout]`, the directories zc.buildout makes absolute at once.
   */
  rawSection(name: string): Map<string, string> {
    const options = new Map(this.expandMacros(name, new Set()));
    const directory = options.get('directory');
    if (name === 'buildout' && directory !== undefined) {
      for (const key of RAW_DIRECTORY_OPTIONS) {
        const value = options.get(key);
        if (value !== undefined && value !== '' && !value.includes('${')) options.set(key, absoluteDirectory(key, value, directory));
      }
    }
    return options;
  }

  private get buildoutOptions(): Options {
    if (!this.settings) {
      const options = this.sections.get('buildout');
      if (!options) throw new Error('the [buildout] section is not initialised yet');
      this.settings = options;
    }
    return this.settings;
  }

  get directory(): string {
    return this.buildoutOptions.getString('directory');
  }

  get offline(): boolean {
    return this.buildoutOptions.getString('offline') === 'true';
  }

  /** Parts in installation order (every section with a recipe initialised so far). */
  get parts(): readonly InitializedPart[] {
    return this.initialized;
  }

  async section(name: string): Promise<Options> {
    const known = this.sections.get(name);
    if (known) return known;
    if (!this.config.has(name)) throw missingSection(name);
    const options = new Options(name, this.locate(() => new Map(this.expandMacros(name, new Set())), name, '<'));
    this.sections.set(name, options);
    if (!this.resolveOnly) await this.initialize(options);
    return options;
  }

  async option(section: string, option: string): Promise<Value> {
    return this.lookup(await this.section(section), option, section);
  }

  writeOutput(chunk: string | Buffer): void {
    this.output(chunk);
  }

  async runSubBuildout(configFile: string, assignments: readonly Assignment[], extraRecipes: RecipeRegistry = new Map()): Promise<void> {
    const registry = new Map([...this.registry, ...extraRecipes]);
    const { config } = await loadConfiguration({ configFile, cwd: this.directory, assignments: [...assignments] });
    const sub = new Buildout({ config, registry, logger: this.logger, output: this.output });
    await installParts(sub, registry);
  }

  async substituteText(text: string, section: string): Promise<string> {
    return substitute(text, (reference) => this.resolveReference(reference, section));
  }

  async download(location: string, options: { md5sum?: string | undefined; offline?: boolean } = {}): Promise<Buffer> {
    const cache = this.buildoutOptions.get('download-cache');
    return download(isAbsolute(location) || isUrl(location) ? location : join(this.directory, location), {
      offline: options.offline ?? this.offline,
      cache: typeof cache === 'string' && cache !== '' ? cache : undefined,
      md5sum: options.md5sum,
      purpose: 'file',
    });
  }

  /** Builds a section's raw options: its `<=` macros, then its own options and edits over them. */
  private expandMacros(name: string, chain: Set<string>): ReadonlyMap<string, string> {
    const known = this.expanded.get(name);
    if (known) return known;
    const raw = this.config.get(name);
    if (!raw) throw new BuildoutError(BuildoutErrorCode.MACRO, `No section named '${name}'`);
    const macros = raw.values.get('<');
    if (name === 'buildout' || macros === undefined) {
      const plain = finalizeSection(raw);
      this.expanded.set(name, plain);
      return plain;
    }
    const inherited = new Map<string, string>();
    chain.add(name);
    try {
      for (const macro of macros.split('\n').map((line) => line.trim()).filter(Boolean)) {
        if (chain.has(macro)) throw new BuildoutError(BuildoutErrorCode.MACRO, `Infinite extending loop '${macro}'`);
        if (!this.config.has(macro)) throw new BuildoutError(BuildoutErrorCode.MACRO, `No section named '${macro}'`);
        for (const [key, value] of this.expandMacros(macro, chain)) inherited.set(key, value);
      }
    } finally {
      chain.delete(name);
    }
    const result = finalizeSection(raw, inherited);
    result.delete('<');
    this.expanded.set(name, result);
    return result;
  }

  /** §4.3: substitute every option (alphabetical order), then dependencies, then the recipe. */
  private async initialize(options: Options): Promise<void> {
    for (const key of options.keys().sort()) {
      if (options.pendingReference(key) !== undefined) await this.lookup(options, key, options.name);
      else options.decodeTyped(key);
    }
    if (options.name === 'buildout') return;
    for (const dependency of options.getString('<part-dependencies>', '').split(/\s+/).filter(Boolean)) {
      await this.section(dependency);
    }
    const recipeName = options.getString('recipe', '').trim();
    if (recipeName === '') return;
    const entry = this.registry.get(recipeName);
    if (!entry) throw unknownRecipe(recipeName, options.name, [...this.registry.keys()]);
    const recipe = await entry.create({ host: this, name: options.name, options, logger: this.logger.child({ part: options.name }) });
    this.initialized.push({ name: options.name, options, recipe, entry });
  }

  /** Reads one option for a `${}` reference made from section `from`, substituting it first if needed. */
  private async lookup(options: Options, key: string, from: string): Promise<Value> {
    const pending = options.pendingReference(key);
    if (pending === undefined) {
      options.decodeTyped(key);
      if (options.has(key)) { options.markUsed(key); return options.get(key)!; }
      if (key === '_buildout_section_name_') return from;
      throw new BuildoutError(BuildoutErrorCode.MISSING_OPTION, `Referenced option does not exist: ${options.name}:${key}`);
    }
    const id = `${options.name}:${key}`;
    if (this.resolvingSet.has(id)) {
      throw new BuildoutError(BuildoutErrorCode.CIRCULAR, `Circular reference in substitutions.\n${[...this.resolving, id].join(' -> ')}`);
    }
    this.resolving.push(id);
    this.resolvingSet.add(id);
    try {
      const text = await this.locateAsync(() => substitute(pending, (reference) => this.resolveReference(reference, options.name)), options.name, key);
      const value = loadValue(text);
      options.resolved(key, value);
      return value;
    } finally {
      this.resolving.pop();
      this.resolvingSet.delete(id);
    }
  }

  /** Where an option of the merged configuration was written, for messages. */
  private whereSet(section: string, key: string): string {
    const origins = this.config.get(section)?.origins.get(key) ?? [];
    const files = [...new Set(origins.map((origin) => origin.source))];
    return files.length > 0 ? files.join(', ') : 'a macro of the section';
  }

  /** Adds "where" to the first BuildoutError raised below: the section, the option and its file. */
  private withLocation(error: unknown, section: string, key: string): unknown {
    if (!(error instanceof BuildoutError) || this.located.has(error)) return error;
    const what = key === '<' ? `the '<=' macros of [${section}]` : `${section}:${key}`;
    const wrapped = new BuildoutError(error.code, `${error.message}\nWhile reading ${what} (${this.whereSet(section, key)}).`, { cause: error });
    this.located.add(wrapped);
    return wrapped;
  }

  private locate<T>(work: () => T, section: string, key: string): T {
    try {
      return work();
    } catch (error) {
      throw this.withLocation(error, section, key);
    }
  }

  private async locateAsync<T>(work: () => Promise<T>, section: string, key: string): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw this.withLocation(error, section, key);
    }
  }

  private async resolveReference(reference: Reference, from: string): Promise<string> {
    const section = reference.section === '' ? from : reference.section;
    const options = await this.section(section);
    const value = await this.lookup(options, reference.option, from);
    if (typeof value === 'object' && value !== null) {
      this.logger.warn(`\${${section}:${reference.option}} holds a ${Array.isArray(value) ? 'list' : typeof value} value; inserting its Python text form.`);
    }
    return pyStr(value);
  }
}

function unknownRecipe(recipe: string, part: string, builtin: string[]): BuildoutError {
  return new BuildoutError(BuildoutErrorCode.UNKNOWN_RECIPE,
    `Recipe '${recipe}' (used by part '${part}') is not built into this buildout engine. Built-in recipes: ${builtin.sort().join(', ')}. ` +
    'To run this profile, configure the node to use a Python zc.buildout (slapos.cfg [slapos] buildout = <path of bin/buildout>).');
}
