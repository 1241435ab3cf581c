import type { Logger } from '../log/index.ts';
import { silentLogger } from '../log/index.ts';
import { messageOf } from '../errors/index.ts';
import { Buildout } from './buildout.ts';
import { loadConfiguration, type Assignment } from './config/load.ts';
import { finalizeSection } from './config/raw.ts';
import { pyStr } from './values.ts';

export interface AnnotateOptions {
  configFile: string;
  cwd: string;
  assignments?: Assignment[];
  /** Substitute every option (recipes are not constructed); default: raw merged values. */
  resolve?: boolean;
  logger?: Logger;
}

/** An option that could not be resolved keeps the error instead of a value. */
export type AnnotatedValue = string | { error: string };
export type Annotation = Record<string, Record<string, AnnotatedValue>>;

/**
 * Every section and option of a configuration: the raw merged values, or
 * with `resolve` the substituted ones (macros applied, `${}` resolved, no
 * recipe run). The base of `slapos buildout annotate`.
 */
export async function annotateConfiguration(options: AnnotateOptions): Promise<Annotation> {
  const { config } = await loadConfiguration({ configFile: options.configFile, cwd: options.cwd, assignments: options.assignments });
  const result: Annotation = {};
  if (!options.resolve) {
    for (const [name, section] of config) result[name] = Object.fromEntries(finalizeSection(section));
    return result;
  }
  const buildout = new Buildout({ config, registry: new Map(), logger: options.logger ?? silentLogger(), recipes: false });
  await buildout.start();
  for (const name of config.keys()) {
    const values: Record<string, AnnotatedValue> = {};
    let section;
    try {
      section = await buildout.section(name);
    } catch (error) {
      // Options are still read one by one below: only the failing ones carry the error.
      section = buildout.partialSection(name);
      if (!section) { result[name] = { '': { error: messageOf(error) } }; continue; }
    }
    for (const key of section.keys().sort()) {
      try {
        values[key] = pyStr(await buildout.option(name, key));
      } catch (error) {
        values[key] = { error: messageOf(error) };
      }
    }
    result[name] = values;
  }
  return result;
}
