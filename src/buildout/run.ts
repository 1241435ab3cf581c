import type { Logger } from '../log/index.ts';
import { parseBuildoutArguments } from './args.ts';
import { Buildout } from './buildout.ts';
import { loadConfiguration } from './config/load.ts';
import { finalizeSection } from './config/raw.ts';
import { BuildoutError, BuildoutErrorCode } from './errors.ts';
import { installParts, type InstallReport } from './install.ts';
import type { RecipeRegistry } from './recipe.ts';
import { builtinRecipes } from './recipes/registry.ts';

export interface RunBuildoutOptions {
  /** Directory the command runs in (`-c` is relative to it). */
  cwd: string;
  /** Arguments as `bin/buildout` takes them: `-c FILE`, `-N`, `section:option=value`, `install [part...]`. */
  argv: readonly string[];
  logger: Logger;
  /** Recipes available; default: the built-in ones. */
  registry?: RecipeRegistry;
  /** Output of recipes' child processes. */
  output?: (chunk: string | Buffer) => void;
}

/**
 * `query section:option`: the raw merged value (after extends, `+=`/`-=` and
 * the command line, before macros and substitution), as zc.buildout prints it.
 */
export async function queryOption(options: Pick<RunBuildoutOptions, 'cwd' | 'argv'>): Promise<string> {
  const args = parseBuildoutArguments(options.argv);
  const [section, option] = args.parts[0]!.split(':') as [string, string];
  const { config } = await loadConfiguration({ configFile: args.configFile, cwd: options.cwd, assignments: args.assignments });
  const raw = config.get(section);
  if (!raw) throw new BuildoutError(BuildoutErrorCode.MISSING_SECTION, `Section not found: ${section}`);
  const value = finalizeSection(raw).get(option);
  if (value === undefined) throw new BuildoutError(BuildoutErrorCode.MISSING_OPTION, `Key not found: ${option}`);
  return value;
}

/** Runs a buildout in-process: load the configuration, then install its parts. */
export async function runBuildout(options: RunBuildoutOptions): Promise<InstallReport> {
  const args = parseBuildoutArguments(options.argv);
  const registry = options.registry ?? builtinRecipes();
  const { config } = await loadConfiguration({ configFile: args.configFile, cwd: options.cwd, assignments: args.assignments });
  const buildout = new Buildout({ config, registry, logger: options.logger, output: options.output });
  options.logger.debug('Installing.');
  return installParts(buildout, registry, args.parts);
}
