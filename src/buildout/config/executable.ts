import { stat } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';

/**
 * The default of `[buildout] executable`. zc.buildout gives the Python it
 * runs on (`sys.executable`); this engine runs no Python, so it gives the one
 * a recipe or a template would start: `python3` as found on `searchPath`.
 * CPython finds `sys.executable` the same way when started as `python3`: the
 * first PATH entry holding a regular file with an execute bit, joined to the
 * name and kept as found (a symlink such as /usr/bin/python3 is not followed).
 * A relative or empty entry is taken from `cwd` (as the shell and CPython
 * do), so the value is always absolute.
 * undefined when no entry has one: the option then stays undefined and
 * `${buildout:executable}` fails as any missing option does.
 */
export async function pythonOnPath(searchPath: string | undefined, cwd: string): Promise<string | undefined> {
  if (!searchPath) return undefined;
  for (const entry of searchPath.split(delimiter)) {
    const candidate = resolve(cwd, join(entry, 'python3'));
    const found = await stat(candidate).catch(() => undefined);
    if (found?.isFile() && (found.mode & 0o111) !== 0) return candidate;
  }
  return undefined;
}
