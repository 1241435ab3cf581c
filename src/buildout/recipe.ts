import type { Logger } from '../log/index.ts';
import type { Options } from './options.ts';
import type { Value } from './values.ts';
import type { Assignment } from './config/load.ts';

/** What install/update return: paths the part owns (deleted on uninstall), or nothing. */
export type InstalledPaths = string | string[] | void;

export interface Recipe {
  install(): Promise<InstalledPaths>;
  /** Absent: the engine warns and calls install(), as zc.buildout does. */
  update?(): Promise<InstalledPaths>;
}

/** What the engine offers recipes besides their own options. */
export interface RecipeHost {
  /** Absolute buildout directory (also the cwd recipes should assume). */
  readonly directory: string;
  readonly offline: boolean;
  readonly logger: Logger;
  /** Initialises a section (and its recipe) if needed and returns its options. */
  section(name: string): Promise<Options>;
  /** Resolved value of `section:option`, as a `${}` reference would read it. */
  option(section: string, option: string): Promise<Value>;
  /** Passes a child process's output through to the buildout's output. */
  writeOutput(chunk: string | Buffer): void;
  /** Substitutes `${}` in a text as if it were an option of `section` (template recipes). */
  substituteText(text: string, section: string): Promise<string>;
  /**
   * Runs another buildout in the same directory and process (what
   * switch-softwaretype does): `configFile` with `assignments` over it, the
   * same recipes plus `extraRecipes`.
   */
  runSubBuildout(configFile: string, assignments: readonly Assignment[], extraRecipes?: RecipeRegistry): Promise<void>;
  /** Reads a path or URL with the buildout's download rules (offline, download-cache, md5sum). */
  download(location: string, options?: { md5sum?: string | undefined; offline?: boolean }): Promise<Buffer>;
}

export interface RecipeContext {
  host: RecipeHost;
  /** The part (section) name. */
  name: string;
  options: Options;
  /** Logger named after the part. */
  logger: Logger;
}

export interface RecipeEntry {
  /** `<distribution>-<engine recipe version>`, recorded as `__buildout_signature__`: bump it when output changes. */
  readonly signature: string;
  /** The constructor: may read other sections and set options; must not touch the file system. */
  create(context: RecipeContext): Promise<Recipe> | Recipe;
  /** Called before a part's recorded paths are removed. */
  uninstall?(name: string, savedOptions: ReadonlyMap<string, string>, logger: Logger): Promise<void>;
}

/** Recipes by the full string profiles write in `recipe =`. */
export type RecipeRegistry = ReadonlyMap<string, RecipeEntry>;
