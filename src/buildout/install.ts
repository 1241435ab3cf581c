import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Buildout, InitializedPart } from './buildout.ts';
import { BuildoutError, BuildoutErrorCode } from './errors.ts';
import { readInstalled, roundTrip, writeInstalled, type InstalledState } from './installed.ts';
import type { InstalledPaths, RecipeRegistry } from './recipe.ts';
import { savedForm } from './values.ts';

const INSTALLED_PATHS = '__buildout_installed__';
const SIGNATURE = '__buildout_signature__';

/** What a run did, part by part (for callers and tests). */
export interface InstallReport {
  installed: string[];
  updated: string[];
  uninstalled: string[];
}

/** The state one install run works on. */
interface Run {
  buildout: Buildout;
  registry: RecipeRegistry;
  state: InstalledState;
  /** Rewrites `.installed.cfg` from `state` (after every step, so it matches the disk). */
  save(): void;
  report: InstallReport;
}

/**
 * zc.buildout's `install` command (§6.4): initialise every part, uninstall
 * what is gone or changed (reverse recorded order), then install or update
 * each part in order, recording `.installed.cfg` after each one so that it
 * always matches the disk. With `only`, just those parts are considered.
 */
export async function installParts(buildout: Buildout, registry: RecipeRegistry, only: readonly string[] = []): Promise<InstallReport> {
  const settings = await buildout.start();
  for (const key of ['bin-directory', 'parts-directory', 'develop-eggs-directory']) {
    mkdirSync(settings.getString(key), { recursive: true });
  }
  const installedFile = settings.getString('installed');
  const state: InstalledState = installedFile ? readInstalled(installedFile) : { parts: [], sections: new Map() };
  const run: Run = {
    buildout, registry, state,
    save: () => { if (installedFile) writeInstalled(installedFile, state); },
    report: { installed: [], updated: [], uninstalled: [] },
  };

  const requested = only.length > 0 ? only : settings.getString('parts').split(/\s+/).filter(Boolean);
  for (const name of requested) {
    const options = await buildout.section(name);
    if (!options.has('recipe')) throw new BuildoutError(BuildoutErrorCode.MISSING_OPTION, `Missing option: ${name}:recipe`);
  }
  const saved = new Map(buildout.parts.map((part) => [part.name, savedOptions(part)]));

  for (const name of [...state.parts].reverse()) {
    // `install a b` leaves the other recorded parts alone.
    if (only.length > 0 && !saved.has(name)) continue;
    const recorded = state.sections.get(name) ?? new Map<string, string>();
    const current = saved.get(name);
    const unchanged = current !== undefined && sameOptions(recorded, current)
      && recordedPaths(recorded, buildout.directory).every((path) => existsSync(path));
    if (!unchanged) await uninstall(run, name, recorded);
  }

  const unusedSettings = settings.unused();
  if (unusedSettings.length > 0) warnUnused(buildout, 'buildout', unusedSettings);

  for (const part of buildout.parts) await installOrUpdate(run, part, saved.get(part.name)!);
  return run.report;
}

async function uninstall(run: Run, name: string, recorded: ReadonlyMap<string, string>): Promise<void> {
  const { buildout, state } = run;
  buildout.logger.info(`Uninstalling ${name}.`);
  const hook = run.registry.get(recorded.get('recipe') ?? '')?.uninstall;
  if (hook) {
    buildout.logger.info('Running uninstall recipe.');
    await hook(name, recorded, buildout.logger.child({ part: name }));
  }
  removePaths(recordedPaths(recorded, buildout.directory));
  forget(state, name);
  run.report.uninstalled.push(name);
  run.save();
}

async function installOrUpdate(run: Run, part: InitializedPart, options: Map<string, string>): Promise<void> {
  const { buildout, state } = run;
  const previous = state.parts.includes(part.name) ? state.sections.get(part.name) : undefined;
  let paths: string[];
  if (previous) {
    buildout.logger.info(`Updating ${part.name}.`);
    const before = recordedPaths(previous, buildout.directory);
    try {
      paths = await runUpdate(buildout, part, before);
    } catch (error) {
      // A failed update leaves nothing installed for the part.
      forget(state, part.name);
      removePaths(before);
      run.save();
      throw error;
    }
    run.report.updated.push(part.name);
  } else {
    buildout.logger.info(`Installing ${part.name}.`);
    part.options.takeCreated();
    try {
      paths = asPaths(await part.recipe.install());
    } catch (error) {
      removePaths(part.options.takeCreated().map((p) => absolute(p, buildout.directory)));
      throw error;
    }
    if (paths.length === 0) {
      buildout.logger.debug(`The ${part.name} install returned None.  A path or iterable os paths should be returned.`);
    }
    run.report.installed.push(part.name);
  }
  options.set(INSTALLED_PATHS, paths.join('\n'));
  state.parts = [...state.parts.filter((p) => p !== part.name), part.name];
  state.sections.set(part.name, options);
  const unused = part.options.unused();
  if (unused.length > 0) warnUnused(buildout, part.name, unused);
  run.save();
}

function forget(state: InstalledState, name: string): void {
  state.parts = state.parts.filter((p) => p !== name);
  state.sections.delete(name);
}

async function runUpdate(buildout: Buildout, part: InitializedPart, before: string[]): Promise<string[]> {
  part.options.takeCreated();
  if (!part.recipe.update) {
    buildout.logger.warn(`The recipe for ${part.name} doesn't define an update method. Using its install method.`);
    return asPaths(await part.recipe.install());
  }
  const added = asPaths(await part.recipe.update());
  // Paths the update itself removed (e.g. a replaced hashed wrapper) are no longer owned.
  return [...before.filter((path) => existsSync(path)), ...added.filter((path) => !before.includes(path))];
}

/** The options recorded for a part: everything resolved just before install, plus the signature. */
function savedOptions(part: InitializedPart): Map<string, string> {
  const options = new Map<string, string>();
  for (const [key, value] of part.options.entries()) {
    if (!part.options.isVolatile(key)) options.set(key, roundTrip(savedForm(value)));
  }
  options.set(SIGNATURE, part.entry.signature);
  return options;
}

function sameOptions(recorded: ReadonlyMap<string, string>, current: ReadonlyMap<string, string>): boolean {
  const keys = [...recorded.keys()].filter((key) => key !== INSTALLED_PATHS);
  if (keys.length !== current.size) return false;
  return keys.every((key) => current.get(key) === recorded.get(key));
}

function recordedPaths(recorded: ReadonlyMap<string, string>, directory: string): string[] {
  return (recorded.get(INSTALLED_PATHS) ?? '').split('\n').filter(Boolean).map((path) => absolute(path, directory));
}

function absolute(path: string, directory: string): string {
  return isAbsolute(path) ? path : join(directory, path);
}

function asPaths(result: InstalledPaths): string[] {
  if (result === undefined) return [];
  return (typeof result === 'string' ? [result] : result).filter((path) => path !== '');
}

function removePaths(paths: readonly string[]): void {
  for (const path of paths) rmSync(path, { recursive: true, force: true });
}

function warnUnused(buildout: Buildout, section: string, unused: string[]): void {
  buildout.logger.warn(`Section \`${section}\` contains unused option(s): ${unused.map((o) => `'${o}'`).join(' ')}.\n` +
    'This may be an indication for either a typo in the option\'s name or a bug in the used recipe.');
}
