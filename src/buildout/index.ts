// The built-in buildout engine (docs/BUILDOUT.md): the zc.buildout
// configuration language, `.installed.cfg` bookkeeping and SlapOS recipes.
export { queryOption, runBuildout, type RunBuildoutOptions } from './run.ts';
export { parseBuildoutArguments, BUILDOUT_USAGE, type BuildoutArguments } from './args.ts';
export { Buildout, type BuildoutSettings, type InitializedPart } from './buildout.ts';
export { installParts, type InstallReport } from './install.ts';
export { annotateConfiguration, annotateText, type AnnotateOptions, type Annotation, type AnnotatedValue } from './annotate.ts';
export { loadConfiguration, ConfigLoader, type Assignment, type LoadOptions, type LoadedConfiguration } from './config/load.ts';
export { parseConfig, type ParsedFile } from './config/parse.ts';
export { type RawConfig, type RawSection } from './config/raw.ts';
export { Options } from './options.ts';
export type { Recipe, RecipeContext, RecipeEntry, RecipeHost, RecipeRegistry, InstalledPaths } from './recipe.ts';
export { builtinRecipes } from './recipes/registry.ts';
export { BuildoutError, BuildoutErrorCode, type BuildoutErrorCodeValue } from './errors.ts';
export { type Value, type ValueDict } from './values.ts';
export { readInstalled, type InstalledState } from './installed.ts';
