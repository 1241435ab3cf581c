import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../helpers/cli.ts';
import { privateZcBuildout, zcBuildoutUnavailable } from '../../helpers/zc-buildout.ts';

/**
 * The reference side of the differential tests: Debian's python3-zc.buildout
 * (2.13.2, the configuration language of the 3.0.1 SlapOS uses) and
 * python3-jinja2, driven by the small Python scripts of
 * test/fixtures/buildout-differential/.
 */
export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'buildout-differential');

const PACKAGES = ['python3-zc.buildout', 'python3-jinja2'];

/** Debian's Python, with python3-jinja2 (zc.buildout needs the private copy of referencePython()). */
export const SYSTEM_PYTHON = '/usr/bin/python3';

async function installed(name: string): Promise<boolean> {
  try {
    const { stdout } = await promisify(execFile)('dpkg-query', ['-W', '-f=${Status}', name]);
    return stdout.includes('install ok installed');
  } catch {
    return false;
  }
}

/**
 * Installs the Debian packages when missing (as root, like scripts/setup.sh
 * with SLAPOS_SETUP_TEST=1 does). Returns why the reference cannot run, or
 * undefined when it can.
 */
export async function referenceUnavailable(): Promise<string | undefined> {
  const missing: string[] = [];
  for (const name of PACKAGES) if (!(await installed(name))) missing.push(name);
  if (missing.length > 0) {
    if (process.getuid?.() !== 0) return `Debian packages missing and not root to install them: ${missing.join(' ')}`;
    try {
      await promisify(execFile)('apt-get', ['install', '-y', '--no-install-recommends', ...missing],
        { env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', DEBIAN_FRONTEND: 'noninteractive' }, timeout: 300_000 });
    } catch (error) {
      return `apt-get install ${missing.join(' ')} failed: ${(error as Error).message}`;
    }
  }
  return zcBuildoutUnavailable();
}

/** The Python of a private, importable copy of zc.buildout (see test/helpers/zc-buildout.ts). */
export async function referencePython(dir: string): Promise<string> {
  const script = await privateZcBuildout(dir);
  const python = join(dirname(script), 'python3');
  if (!existsSync(python)) throw new Error(`no python in ${dirname(script)}`);
  return python;
}

/**
 * The PATH this engine searches for `python3` (the default of
 * `${buildout:executable}`) so that it finds the interpreter the reference
 * runs on, whose `sys.executable` is zc.buildout's default: both sides then
 * give the same path.
 */
export function referenceSearchPath(python: string): string {
  return dirname(python);
}

/** Runs a fixture script with a JSON document on stdin; returns its parsed JSON output. */
export function runPythonJson<T>(python: string, script: string, input: unknown, cwd: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['-W', 'ignore', join(FIXTURES, script)], {
      cwd,
      env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: cwd },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) { reject(new Error(`${script} exited with ${code}:\n${stderr}`)); return; }
      try {
        resolve(JSON.parse(stdout) as T);
      } catch (error) {
        reject(new Error(`${script} printed no JSON (${(error as Error).message}):\n${stdout}\n${stderr}`));
      }
    });
    child.stdin.end(JSON.stringify(input));
  });
}

/** One configuration as dump.py prints it (and as annotateConfiguration gives it). */
export type Value = string | { __error__: string };
export type Sections = Record<string, Record<string, Value>>;
export type Dump = { sections: Sections } | { error: string };

/** The egg version pins zc.buildout adds for itself, which only the Python side has. */
function withoutZcBuildoutPins(sections: Sections): Sections {
  if (!sections.versions) return sections;
  const result: Sections = { ...sections };
  const pins = Object.fromEntries(Object.entries(sections.versions).filter(([name, value]) => !(['zc.buildout', 'zc.recipe.egg'].includes(name) && typeof value === 'string' && value.startsWith('>='))));
  if (Object.keys(pins).length === 0) delete result.versions; else result.versions = pins;
  return result;
}

/**
 * `dir/sub/../x` → `dir/x`. zc.buildout joins extends paths without
 * normalising them, so `${:_profile_base_location_}` of a file reached as
 * `b/../a/x.cfg` is `b/../a`; this engine parses each file once and gives its
 * normalised directory (docs/COMPATIBILITY.md). Same file, other spelling.
 */
function normalisePaths(value: Value | undefined): Value | undefined {
  if (typeof value !== 'string') return value;
  let result = value;
  for (let previous = ''; previous !== result;) {
    previous = result;
    result = result.replace(/\/(?!\.\.?\/)[^/\s]+\/\.\.(?=\/)/g, '');
  }
  return result;
}

/** Option-by-option differences, as readable lines. */
export function compareDumps(name: string, reference: Dump, actual: Dump): string[] {
  if ('error' in reference || 'error' in actual) {
    if ('error' in reference && 'error' in actual) return [];
    return [`${name}: zc.buildout ${'error' in reference ? `fails (${reference.error})` : 'succeeds'}, ours ${'error' in actual ? `fails (${actual.error})` : 'succeeds'}`];
  }
  const expected = withoutZcBuildoutPins(reference.sections);
  const differences: string[] = [];
  for (const section of new Set([...Object.keys(expected), ...Object.keys(actual.sections)])) {
    const want = expected[section];
    const got = actual.sections[section];
    if (!want || !got) { differences.push(`${name} [${section}]: only in ${want ? 'zc.buildout' : 'ours'}`); continue; }
    for (const option of new Set([...Object.keys(want), ...Object.keys(got)])) {
      const a = want[option];
      const b = got[option];
      const same = typeof a === 'object' && typeof b === 'object' ? true : normalisePaths(a) === normalisePaths(b);
      if (!same) differences.push(`${name} [${section}] ${option}:\n  zc.buildout: ${JSON.stringify(a)}\n  ours:        ${JSON.stringify(b)}`);
    }
  }
  return differences;
}

