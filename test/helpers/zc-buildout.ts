import { cp, mkdir, readFile, writeFile, chmod } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';

/** Where Debian's python3-zc.buildout (scripts/setup.sh with SLAPOS_SETUP_TEST=1) installs. */
const DIST_PACKAGES = '/usr/lib/python3/dist-packages';
const SYSTEM_PYTHON = '/usr/bin/python3';
const COPIED = ['zc', 'zc.buildout-2.13.2.egg-info', 'zc.buildout-2.13.2-nspkg.pth', 'setuptools', 'setuptools-66.1.1.egg-info', 'pkg_resources', '_distutils_hack'];

/** Why the real zc.buildout cannot run here, or undefined when it can. */
export function zcBuildoutUnavailable(): string | undefined {
  if (!existsSync(SYSTEM_PYTHON)) return `${SYSTEM_PYTHON} is missing`;
  const missing = COPIED.find((name) => !existsSync(join(DIST_PACKAGES, name)));
  return missing === undefined ? undefined : `${join(DIST_PACKAGES, missing)} is missing (install python3-zc.buildout)`;
}

/**
 * A private, working copy of Debian's zc.buildout 2.13.2 under `dir`, and the
 * path of a `buildout` script for slapos.cfg's `buildout =`.
 *
 * Debian's package does not import on Python 3.11 (`MutableMapping` is taken
 * from `collections`). The copy lives in an isolated virtualenv (no system
 * site-packages) holding the patched zc.buildout with setuptools and
 * pkg_resources, so that the `bin/buildout` it bootstraps into a software
 * directory also points at the patched copy only. Everything is readable by
 * every user: builds run as the owner of software_root.
 */
export async function privateZcBuildout(dir: string): Promise<string> {
  const venv = join(dir, 'zc-buildout-venv');
  await promisify(execFile)(SYSTEM_PYTHON, ['-m', 'venv', '--without-pip', venv]);
  const site = join(venv, 'lib', `python${await pythonVersion()}`, 'site-packages');
  await mkdir(site, { recursive: true });
  for (const name of COPIED) await cp(join(DIST_PACKAGES, name), join(site, name), { recursive: true });
  const module = join(site, 'zc', 'buildout', 'buildout.py');
  const source = await readFile(module, 'utf8');
  await writeFile(module, source.replace('from collections import MutableMapping', 'from collections.abc import MutableMapping'));
  const script = join(venv, 'bin', 'buildout');
  await writeFile(script, [
    `#!${join(venv, 'bin', 'python3')}`,
    'import sys',
    'import zc.buildout.buildout',
    'sys.exit(zc.buildout.buildout.main())',
    '',
  ].join('\n'));
  await chmod(script, 0o755);
  await promisify(execFile)('chmod', ['-R', 'a+rX', venv]);
  return script;
}

async function pythonVersion(): Promise<string> {
  const { stdout } = await promisify(execFile)(SYSTEM_PYTHON, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])']);
  return stdout.trim();
}
