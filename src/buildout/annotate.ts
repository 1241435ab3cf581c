import type { Logger } from '../log/index.ts';
import { silentLogger } from '../log/index.ts';
import { messageOf } from '../errors/index.ts';
import { relative } from 'node:path';
import { absoluteDirectory, Buildout, NORMALISED_DIRECTORIES } from './buildout.ts';
import { loadConfiguration, type Assignment } from './config/load.ts';
import { finalizeSection, type Origin } from './config/raw.ts';
import { pyStr } from './values.ts';

export interface AnnotateOptions {
  configFile: string;
  cwd: string;
  assignments?: Assignment[];
  /** The PATH searched for the default `[buildout] executable`; default: this process's PATH. */
  searchPath?: string;
  /** Substitute every option, as far as no recipe has to run; default: values before substitution. */
  resolve?: boolean;
  logger?: Logger;
}

/** An option (or a whole section, when its macros fail) that could not be built keeps the error instead. */
export type AnnotatedValue = string | { __error__: string };
export type Annotation = Record<string, Record<string, AnnotatedValue>>;

/**
 * Every section and option of a configuration, sorted by name: after
 * extends, `+=`/`-=`, conditional headers, the `[buildout]` defaults and
 * `<=` macros, with `${}` untouched — or, with `resolve`, substituted one
 * option at a time without constructing any recipe, so an option that
 * fails (a missing option that only a recipe would set, a cycle...) carries
 * `{"__error__": message}` and the others are still given. A section whose
 * macros cannot be applied is `{"__error__": message}` as a whole.
 * The base of `slapos buildout annotate --format json`.
 */
export async function annotateConfiguration(options: AnnotateOptions): Promise<Annotation> {
  const { config } = await loadConfiguration(options);
  const buildout = new Buildout({ config, registry: new Map(), logger: options.logger ?? silentLogger(), resolveOnly: true });
  if (options.resolve) await buildout.settingsSection();
  const result: Annotation = {};
  for (const name of [...config.keys()].sort()) {
    let raw: Map<string, string>;
    try {
      raw = buildout.rawSection(name);
    } catch (error) {
      result[name] = { __error__: messageOf(error) };
      continue;
    }
    const values: Record<string, AnnotatedValue> = {};
    for (const key of [...raw.keys()].sort()) {
      if (!options.resolve) { values[key] = raw.get(key)!; continue; }
      try {
        values[key] = pyStr(await buildout.option(name, key));
      } catch (error) {
        values[key] = { __error__: messageOf(error) };
      }
    }
    result[name] = values;
  }
  return result;
}

/** Sources zc.buildout names in capitals instead of a file. */
const BUILT_IN_SOURCES = new Set(['DEFAULT_VALUE', 'COMPUTED_VALUE', 'COMMAND_LINE_VALUE']);

/**
 * `slapos buildout annotate`, zc.buildout's listing: every section of the
 * merged configuration (before macros and substitution, as zc.buildout
 * shows it), every option with its value and, under it, the file that set
 * it followed by the files whose `+=` / `-=` changed it (paths relative to
 * the buildout directory). `sections` limits the listing.
 */
export async function annotateText(options: AnnotateOptions & { sections?: readonly string[] }): Promise<string> {
  const { config } = await loadConfiguration(options);
  const directory = config.get('buildout')?.values.get('directory') ?? options.cwd;
  const human = (source: string): string =>
    (BUILT_IN_SOURCES.has(source) || !source.startsWith(directory) ? source : relative(directory, source));
  const lines = ['', 'Annotated sections', '=================='];
  for (const name of [...config.keys()].sort()) {
    if (options.sections?.length && !options.sections.includes(name)) continue;
    const section = config.get(name)!;
    const values = finalizeSection(section);
    if (name === 'buildout') {
      for (const key of NORMALISED_DIRECTORIES) {
        const value = values.get(key);
        if (value && !value.includes('${')) values.set(key, absoluteDirectory(key, value, directory));
      }
    }
    lines.push('', `[${name}]`);
    for (const key of [...values.keys()].sort()) {
      const [first = '', ...rest] = values.get(key)!.split('\n');
      lines.push(rest.length === 0 && first === '' ? `${key}=` : `${key}= ${first}`, ...rest);
      lines.push(...(section.origins.get(key) ?? []).map((origin: Origin) =>
        `${origin.op === '=' ? '    ' : `${origin.op}  `}${human(origin.source)}`));
    }
  }
  return `${lines.join('\n')}\n`;
}
