import { accessSync, existsSync, readFileSync, statSync } from 'node:fs';
import { machine, release, type } from 'node:os';
import { PyDict, PyFunction, PyObject, PyTuple, PythonExpressionError, pyInt, pyLen, pyStr, type PyValue } from './python-expression.ts';

/**
 * What conditional section headers may ask about the machine. zc.buildout
 * evaluates them in the Python running it; this engine answers as CPython
 * 3.11 on the same machine would. Facts are read only when an expression
 * uses them (an `and` that is already false reads nothing more).
 */
export interface ConditionHost {
  /** `platform.machine()`: uname's machine (x86_64, aarch64...). */
  machine(): string;
  /** `platform.release()`: uname's release. */
  release(): string;
  /** `platform.system()`: uname's sysname (Linux). */
  system(): string;
  /** Contents of a text file (`open(path).read()`, /etc/os-release). */
  readText(path: string): string;
  isDirectory(path: string): boolean;
  isFile(path: string): boolean;
  exists(path: string): boolean;
  access(path: string, mode: number): boolean;
}

/** The real machine. */
export const LOCAL_HOST: ConditionHost = {
  machine: () => machine(),
  release: () => release(),
  system: () => type(),
  readText: (path) => readFileSync(path, 'utf8'),
  isDirectory: (path) => existsSync(path) && statSync(path).isDirectory(),
  isFile: (path) => existsSync(path) && statSync(path).isFile(),
  exists: (path) => existsSync(path),
  access: (path, mode) => { try { accessSync(path, mode); return true; } catch { return false; } },
};

/** The interpreter this engine stands in for (zc.buildout runs on CPython 3.11 in SlapOS today). */
export const PYTHON_VERSION = [3, 11, 0] as const;

function text(value: PyValue, what: string): string {
  if (typeof value !== 'string') throw new PythonExpressionError(`Python raises TypeError: ${what} should be a string, not ${pyStr(value)}`);
  return value;
}

/** CPython's platform.freedesktop_os_release(): /etc/os-release, else /usr/lib/os-release. */
function osRelease(host: ConditionHost): PyDict {
  const fields = new Map<string, PyValue>([['NAME', 'Linux'], ['ID', 'linux'], ['PRETTY_NAME', 'Linux']]);
  const file = ['/etc/os-release', '/usr/lib/os-release'].find((path) => host.isFile(path));
  if (file === undefined) throw new PythonExpressionError('Python raises OSError: Unable to read files /etc/os-release, /usr/lib/os-release');
  for (const line of host.readText(file).split('\n')) {
    const match = /^([a-zA-Z0-9_]+)=(["']?)(.*)\2$/.exec(line);
    if (match) fields.set(match[1]!, match[3]!.replace(/\\([\\$"'`])/g, '$1'));
  }
  return new PyDict(fields);
}

function fileObject(host: ConditionHost, path: string): PyObject {
  let content: string;
  try {
    content = host.readText(path);
  } catch (error) {
    throw new PythonExpressionError(`Python raises OSError: cannot open ${JSON.stringify(path)} (${(error as Error).message})`);
  }
  return new PyObject('file', { read: () => new PyFunction('read', () => content) });
}

const fn = (name: string, call: (...args: PyValue[]) => PyValue): () => PyValue => () => new PyFunction(name, call);

/**
 * The globals zc.buildout gives header expressions: `sys`, `os`,
 * `platform`, the helper booleans (python3, linux, bits64...), plus the
 * builtins profiles call (int, str, len, open).
 */
export function conditionNames(host: ConditionHost): ReadonlyMap<string, () => PyValue> {
  const [major, minor, micro] = PYTHON_VERSION;
  const isLinux = process.platform === 'linux';
  const names = new Map<string, () => PyValue>([
    ['python2', () => false], ['python3', () => true],
    ['cpython', () => true], ['pypy', () => false], ['jython', () => false], ['ironpython', () => false],
    ['linux', () => isLinux], ['windows', () => false], ['cygwin', () => false], ['solaris', () => false],
    ['macosx', () => process.platform === 'darwin'], ['posix', () => true],
    ['bits32', () => false], ['bits64', () => true], ['little_endian', () => true], ['big_endian', () => false],
    ['int', fn('int', (value) => pyInt(value))],
    ['str', fn('str', (value) => pyStr(value))],
    ['len', fn('len', (value) => pyLen(value))],
    ['open', fn('open', (path) => fileObject(host, text(path, 'open() path')))],
    ['sys', () => new PyObject('module sys', {
      version_info: () => new PyTuple([major, minor, micro, 'final', 0], ['major', 'minor', 'micro', 'releaselevel', 'serial']),
      platform: () => process.platform,
      byteorder: () => 'little',
      maxsize: () => Number.MAX_SAFE_INTEGER,
    })],
    ['platform', () => new PyObject('module platform', {
      machine: fn('machine', () => host.machine()),
      release: fn('release', () => host.release()),
      system: fn('system', () => host.system()),
      python_version: fn('python_version', () => `${major}.${minor}.${micro}`),
      python_implementation: fn('python_implementation', () => 'CPython'),
      freedesktop_os_release: fn('freedesktop_os_release', () => osRelease(host)),
    })],
    ['os', () => new PyObject('module os', {
      name: () => 'posix', sep: () => '/',
      F_OK: () => 0, R_OK: () => 4, W_OK: () => 2, X_OK: () => 1,
      access: fn('access', (path, mode) => host.access(text(path, 'access() path'), pyInt(mode))),
      path: () => new PyObject('module posixpath', {
        exists: fn('exists', (path) => host.exists(text(path, 'exists() path'))),
        isdir: fn('isdir', (path) => host.isDirectory(text(path, 'isdir() path'))),
        isfile: fn('isfile', (path) => host.isFile(text(path, 'isfile() path'))),
      }),
    })],
  ]);
  // python24 ... python39, python310 ... python315: true only for the interpreter's own version.
  for (const version of [24, 25, 26, 27, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 310, 311, 312, 313, 314, 315]) {
    names.set(`python${version}`, () => `python${version}` === `python${major}${minor}`);
  }
  return names;
}
