import { dirname, isAbsolute, resolve } from 'node:path';
import { hasCode } from '../../errors/index.ts';
import { BuildoutError, BuildoutErrorCode } from '../errors.ts';
import { download, isUrl, type DownloadOptions } from '../download.ts';
import { pythonOnPath } from './executable.ts';
import { parseConfig, type ParsedFile } from './parse.ts';
import { EMPTY_SECTION, finalizeSection, mergeConfig, mergeSection, sectionOf, type Origin, type RawConfig, type RawSection } from './raw.ts';

/** A `section:option=value` given on the command line (option may end in `+`/`-`). */
export interface Assignment { section: string; option: string; value: string }

export interface LoadOptions {
  /** The configuration file (`-c`), absolute or relative to `cwd`. */
  configFile: string;
  cwd: string;
  assignments?: Assignment[];
  /**
   * The PATH searched for `python3`, the default of `[buildout] executable`
   * (config/executable.ts); default: this process's PATH.
   */
  searchPath?: string;
}

export interface LoadedConfiguration {
  config: RawConfig;
  /** Absolute path of the root file. */
  configFile: string;
}

/**
 * The [buildout] defaults zc.buildout starts from (§5.1), all of them, so
 * that annotate shows what zc.buildout shows. `executable` is left out when
 * no Python was found.
 */
function defaults(directory: string, executable: string | undefined): RawConfig {
  const values = new Map<string, string>([
    ['allow-hosts', '*'],
    ['allow-picked-versions', 'true'],
    ['allow-unknown-extras', 'false'],
    ['bin-directory', 'bin'],
    ['develop-eggs-directory', 'develop-eggs'],
    ['directory', directory],
    ['eggs-directory', 'eggs'],
    ...(executable === undefined ? [] : [['executable', executable] as const]),
    ['find-links', ''],
    ['install-from-cache', 'false'],
    ['installed', '.installed.cfg'],
    ['log-format', ''],
    ['log-level', 'INFO'],
    ['newest', 'true'],
    ['offline', 'false'],
    ['parts-directory', 'parts'],
    ['prefer-final', 'true'],
    ['python', 'buildout'],
    ['show-picked-versions', 'false'],
    ['socket-timeout', ''],
    ['update-versions-file', ''],
    ['use-dependency-links', 'true'],
    ['versions', 'versions'],
  ]);
  const section = sectionOf(values, 'DEFAULT_VALUE');
  return new Map([['buildout', { ...section, origins: new Map(section.origins).set('directory', [{ op: '=', source: 'COMPUTED_VALUE' }]) }]]);
}

/** Groups command-line assignments into a configuration layer. */
export function assignmentLayer(assignments: readonly Assignment[]): RawConfig {
  const layer = new Map<string, RawSection>();
  for (const { section, option, value } of assignments) {
    const edit = option.endsWith('+') ? 'adds' : option.endsWith('-') ? 'removes' : 'values';
    const name = edit === 'values' ? option : option.slice(0, -1).trimEnd();
    const origin: Origin[] = [{ op: edit === 'adds' ? '+=' : edit === 'removes' ? '-=' : '=', source: 'COMMAND_LINE_VALUE' }];
    const single: RawSection = { ...EMPTY_SECTION, [edit]: new Map([[name, value]]), origins: new Map([[name, origin]]) };
    const before = layer.get(section);
    layer.set(section, before === undefined ? single : mergeSection(before, single, true));
  }
  return layer;
}

/**
 * Reads a configuration and its whole extends tree. Each file is fetched and
 * parsed once per loader (cached by absolute path or URL); a file reached
 * twice through different branches is merged twice, as zc.buildout does.
 */
export class ConfigLoader {
  private readonly parsed = new Map<string, ParsedFile>();
  private readonly opened = new Map<string, RawConfig>();

  constructor(private readonly downloadOptions: DownloadOptions) {}

  /** Opens `name` relative to `base` (a directory or a URL prefix). */
  async open(base: string, name: string, chain: readonly string[] = []): Promise<RawConfig> {
    const location = locate(base, name);
    if (chain.includes(location)) {
      throw new BuildoutError(BuildoutErrorCode.RECURSIVE_EXTENDS, `Recursive file include ${[...chain, location].join(' -> ')}`);
    }
    const known = this.opened.get(location);
    if (known) return known;
    const file = await this.parse(location);
    const own = file.sections.get('buildout');
    if (own?.values.has('extended-by')) {
      throw new BuildoutError(BuildoutErrorCode.UNSUPPORTED, `No-longer supported "extended-by" option found in ${location}.`);
    }
    const extendsList = (own?.values.get('extends') ?? '').split(/\s+/).filter(Boolean);
    const sections = new Map(file.sections);
    if (own?.values.has('extends')) {
      const values = new Map(own.values);
      values.delete('extends');
      sections.set('buildout', { ...own, values });
    }
    let result: RawConfig = new Map();
    for (const extended of extendsList) {
      let opened: RawConfig;
      try {
        opened = await this.open(file.base, extended, [...chain, location]);
      } catch (error) {
        // Say which file asked for the one that cannot be read (only the innermost one does).
        if (!hasCode(error, BuildoutErrorCode.DOWNLOAD) || (error as Error).message.includes('\nWhile reading')) throw error;
        throw new BuildoutError(BuildoutErrorCode.DOWNLOAD, `${(error as Error).message}\nWhile reading buildout:extends (${location}).`, { cause: error });
      }
      result = mergeConfig(result, opened);
    }
    result = mergeConfig(result, sections);
    this.opened.set(location, result);
    return result;
  }

  /** Parses a file once (the immutable result is shared by every include). */
  async parse(location: string): Promise<ParsedFile> {
    const known = this.parsed.get(location);
    if (known) return known;
    const text = decodeUtf8(await download(location, { ...this.downloadOptions, purpose: 'extends' }), location);
    const base = isUrl(location) ? location.slice(0, location.lastIndexOf('/')) : dirname(location);
    const file = parseConfig(text, location, base);
    this.parsed.set(location, file);
    return file;
  }
}

/** Profiles are UTF-8; anything else is refused rather than read with replacement characters. */
function decodeUtf8(bytes: Buffer, location: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BuildoutError(BuildoutErrorCode.PARSE, `${location} is not UTF-8 text; buildout profiles must be encoded in UTF-8.`);
  }
}

function locate(base: string, name: string): string {
  if (isUrl(name)) return name;
  if (isUrl(base)) return isAbsolute(name) ? name : `${base}/${name}`;
  return resolve(base, name);
}

/**
 * Builds the merged raw configuration: defaults, the file and its extends,
 * extends given on the command line, then the command-line assignments.
 */
export async function loadConfiguration(options: LoadOptions): Promise<LoadedConfiguration> {
  const configFile = resolve(options.cwd, options.configFile);
  const commandLine = assignmentLayer(options.assignments ?? []);
  const base = defaults(dirname(configFile), await pythonOnPath(options.searchPath ?? process.env.PATH, options.cwd));
  const rootLoader = new ConfigLoader({ offline: true });
  let root: ParsedFile;
  try {
    root = await rootLoader.parse(configFile);
  } catch (error) {
    if (hasCode(error, BuildoutErrorCode.DOWNLOAD)) {
      throw new BuildoutError(BuildoutErrorCode.DOWNLOAD, `Couldn't open ${configFile}`, { cause: error });
    }
    throw error;
  }
  // The root file and the command line choose how extends are downloaded.
  const settings = finalizeSection(
    mergeSection(mergeSection(base.get('buildout')!, root.sections.get('buildout') ?? EMPTY_SECTION),
      commandLine.get('buildout') ?? EMPTY_SECTION));
  const offline = parseBuildoutBoolean('offline', settings.get('offline') ?? 'false')
    || settings.get('install-from-cache') === 'true';
  const newest = !offline && parseBuildoutBoolean('newest', settings.get('newest') ?? 'true');
  const extendsCache = settings.get('extends-cache');
  if (extendsCache?.includes('${')) {
    throw new BuildoutError(BuildoutErrorCode.OPTION_VALUE, `extends-cache '${extendsCache}' may not contain \${section:variable} to expand.`);
  }
  const loader = new ConfigLoader({
    offline,
    refresh: newest,
    cache: extendsCache ? resolve(dirname(configFile), extendsCache) : undefined,
  });
  let config = mergeConfig(base, await loader.open(dirname(configFile), configFile));
  const extraExtends = commandLine.get('buildout')?.values.get('extends');
  for (const extended of (extraExtends ?? '').split(/\s+/).filter(Boolean)) {
    config = mergeConfig(config, await loader.open(options.cwd, extended));
  }
  return { config: mergeConfig(config, withoutExtends(commandLine)), configFile };
}

function withoutExtends(layer: RawConfig): RawConfig {
  const own = layer.get('buildout');
  if (!own?.values.has('extends')) return layer;
  const values = new Map(own.values);
  values.delete('extends');
  return new Map(layer).set('buildout', { ...own, values });
}

/** Buildout-level booleans are exactly `true` or `false`. */
export function parseBuildoutBoolean(option: string, value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new BuildoutError(BuildoutErrorCode.OPTION_VALUE, `Invalid value for '${option}' option: '${value}'`);
}
