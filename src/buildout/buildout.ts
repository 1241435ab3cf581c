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
  /** false: substitute sections without constructing their recipes (annotate). Default true. */
  recipes?: boolean;
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

/** Directory options joined to `buildout:directory` when relative (§2.6). */
const DIRECTORY_OPTIONS = ['bin-directory', 'parts-directory', 'develop-eggs-directory', 'eggs-directory', 'download-cache', 'extends-cache', 'installed'];

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
  private readonly constructRecipes: boolean;
  private readonly sections = new Map<string, Options>();
  /** `section:option` being substituted, innermost last (cycle detection). */
  private readonly resolving: string[] = [];
  private readonly initialized: InitializedPart[] = [];
  private settings?: Options;

  constructor(settings: BuildoutSettings) {
    this.config = settings.config;
    this.registry = settings.registry;
    this.logger = settings.logger;
    this.output = settings.output ?? (() => undefined);
    this.constructRecipes = settings.recipes ?? true;
  }

  /** Initialises `[buildout]` (first thing a run does) and checks what this engine cannot honour. */
  async start(): Promise<Options> {
    const options = await this.section('buildout');
    for (const key of DIRECTORY_OPTIONS) {
      const value = options.get(key);
      if (typeof value === 'string' && value !== '' && !isAbsolute(value)) {
        options.set(key, resolve(this.directory, value.replace(/^~(?=\/|$)/, () => process.env.HOME ?? '~')));
      }
    }
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
    const options = new Options(name, this.expandMacros(name, []));
    this.sections.set(name, options);
    await this.initialize(options);
    return options;
  }

  /** A section whose initialisation failed part-way (its options can still be read one by one). */
  partialSection(name: string): Options | undefined {
    return this.sections.get(name);
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
  private expandMacros(name: string, chain: readonly string[]): Map<string, string> {
    const raw = this.config.get(name);
    if (!raw) throw new BuildoutError(BuildoutErrorCode.MACRO, `No section named '${name}'`);
    const macros = raw.values.get('<');
    if (name === 'buildout' || macros === undefined) return finalizeSection(raw);
    const inherited = new Map<string, string>();
    for (const macro of macros.split('\n').map((line) => line.trim()).filter(Boolean)) {
      if (macro === name || chain.includes(macro)) {
        throw new BuildoutError(BuildoutErrorCode.MACRO, `Infinite extending loop '${macro}'`);
      }
      if (!this.config.has(macro)) throw new BuildoutError(BuildoutErrorCode.MACRO, `No section named '${macro}'`);
      for (const [key, value] of this.expandMacros(macro, [...chain, name])) inherited.set(key, value);
    }
    const result = finalizeSection(raw, inherited);
    result.delete('<');
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
    if (recipeName === '' || !this.constructRecipes) return;
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
    if (this.resolving.includes(id)) {
      throw new BuildoutError(BuildoutErrorCode.CIRCULAR, `Circular reference in substitutions.\n${[...this.resolving, id].join(' -> ')}`);
    }
    this.resolving.push(id);
    try {
      const value = loadValue(await substitute(pending, (reference) => this.resolveReference(reference, options.name)));
      options.resolved(key, value);
      return value;
    } finally {
      this.resolving.pop();
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
