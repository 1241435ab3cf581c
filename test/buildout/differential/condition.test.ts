import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateCondition } from '../../../src/buildout/config/condition.ts';
import { workspace } from '../helpers.ts';
import { referencePython, referenceUnavailable, runPythonJson } from './reference.ts';

/**
 * Conditional section headers: our evaluator against Python's eval() with
 * zc.buildout's globals, on this machine. The first expressions are the
 * ones SlapOS/slapos profiles write; then Python semantics they rely on;
 * then expressions Python refuses (both must fail).
 */
const EXPRESSIONS = [
  // names
  'python2', 'python3', 'python27', 'python311', 'pypy', 'linux', 'posix', 'bits32', 'bits64', 'not linux', 'linux and posix',
  // from SlapOS/slapos profiles
  'sys.version_info < (3,8)', 'sys.version_info < (3, 10)', 'sys.version_info < (3,11)', 'pypy or sys.version_info >= (3,13)',
  'linux and platform.machine() == "x86_64"', 'linux and platform.machine() == "i386"',
  "not (linux and platform.machine() == 'x86_64')", "not linux or platform.machine() != 'riscv64'", "platform.machine() == 'aarch64'",
  '[int(q) for q in platform.release().split(".")[:2]]<[4,14]',
  "sys.version_info < (3, 10) or (platform.freedesktop_os_release()['ID'] == 'debian' and int(platform.freedesktop_os_release()['VERSION_ID']) < 12)",
  "os.path.isdir('/usr/lib/arm-linux-gnueabihf') and os.access('/proc/device-tree/model', os.R_OK) and 'OLinuXino' in open('/proc/device-tree/model').read()",
  // Python semantics
  'sys.version_info[:2] == (3, 11)', 'sys.version_info.major == 3 and sys.version_info.minor >= 8', "sys.platform.startswith('linux')",
  "os.path.isdir('/usr') and os.path.exists('/nonexistent') == False", "'Linux' in platform.system()", "os.name == 'posix'",
  "platform.freedesktop_os_release()['ID'] in ('debian', 'ubuntu')", "platform.freedesktop_os_release().get('NOPE', 'x') == 'x'",
  'len(platform.release()) > 0', "int(' 12 ') < 13", '1 < 2 < 3', '3 > 2 > 2', "'' or 0", '[] == []', '[1] == (1,)', '(1,) < (1, 2)',
  "'3.10' < '3.9' and True", "platform.system() > 'Darwin'", 'True == 1', "[q for q in 'abc' if q != 'b'] == ['a', 'c']", "'\\x23' == '#'", "'a' 'b' == 'ab'",
  "'x' in ['x', 'y'] and 'z' not in ('x',)", "platform.release().split('.')[0] != ''",
  // Python raises
  '[1] < (1,)', "1 < 'a'", "int('x')", "platform.freedesktop_os_release()['NOPE']", "open('/nonexistent/file').read()",
  'undefined_name', "sys.version_info < (3, 'a')", "len(3)", "'abc'[10]",
];

/** Python accepts these; this engine deliberately refuses to evaluate them. */
const REFUSED = ["__import__('os').name == 'posix'", '(lambda: 1)()', '1 if linux else 0', "re.match('a', 'a')", 'linux is True'];

/** PEP 508 markers (zc.buildout 3 reads them before Python; 2.13.2 cannot, so the answers are written here). */
const MARKERS: [string, boolean][] = [
  ['python_version >= "3.8"', true], ['python_version < "3.10"', false], ["python_version == '3.11'", true],
  ['python_full_version >= "3.11.0" and os_name == "posix"', true], ['sys_platform == "linux" or sys_platform == "darwin"', process.platform === 'linux' || process.platform === 'darwin'],
  ['python_version ~= "3.9"', true], ['"linux" in sys_platform', process.platform.includes('linux')],
  // two string literals make a marker too: versions compare as versions, other text as Python strings
  ["'3.10' < '3.9'", false], ["'a' < 'B'", false],
];

const where = { source: '/profile/buildout.cfg', line: 7 };

function ours(expression: string): boolean | { error: string } {
  try {
    return evaluateCondition(expression, where);
  } catch (error) {
    return { error: (error as { code?: string }).code ?? 'no code' };
  }
}

const unavailable = await referenceUnavailable();

test('conditions: the same answers as Python eval() with zc.buildout globals', { skip: unavailable }, async () => {
  const dir = workspace();
  const python = await referencePython(dir);
  const expected = await runPythonJson<(boolean | { error: string })[]>(python, 'conditions.py', EXPRESSIONS, dir);
  const differences = EXPRESSIONS.flatMap((expression, index) => {
    const reference = expected[index]!;
    const actual = ours(expression);
    const same = typeof reference === 'boolean' ? actual === reference : typeof actual === 'object';
    return same ? [] : [`${expression}: Python ${JSON.stringify(reference)}, ours ${JSON.stringify(actual)}`];
  });
  assert.deepEqual(differences, []);
});

test('conditions: outside the subset is BUILDOUT_ERR_CONDITION naming the file and line', () => {
  for (const expression of REFUSED) {
    assert.throws(() => evaluateCondition(expression, where), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'BUILDOUT_ERR_CONDITION');
      assert.match(error.message, /\/profile\/buildout\.cfg, line 7/);
      return true;
    }, expression);
  }
});

test('conditions: PEP 508 markers', () => {
  for (const [marker, value] of MARKERS) assert.equal(evaluateCondition(marker, where), value, marker);
});

test('conditions: an `and` already false reads nothing more', () => {
  const host = {
    machine: () => 'x86_64', release: () => '6.1.0', system: () => 'Linux',
    readText: (): string => { throw new Error('read'); },
    isDirectory: () => false, isFile: () => false, exists: () => false, access: () => false,
  };
  assert.equal(evaluateCondition("os.path.isdir('/x') and 'y' in open('/proc/device-tree/model').read()", where, host), false);
  assert.equal(evaluateCondition('[int(q) for q in platform.release().split(".")[:2]] < [4,14]', where, host), false);
  assert.throws(() => evaluateCondition("'y' in open('/proc/device-tree/model').read()", where, host), /read/);
});
