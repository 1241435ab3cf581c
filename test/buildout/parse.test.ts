import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/buildout/index.ts';
import { finalizeSection, mergeSection } from '../../src/buildout/config/raw.ts';

function values(text: string, section = 's'): Map<string, string> {
  const file = parseConfig(text, '/srv/p/buildout.cfg', '/srv/p');
  return finalizeSection(file.sections.get(section)!);
}

test('continuation lines, block values and text that only looks like a comment', () => {
  const s = values('[s]\na = 1\n  2\n\n  3\nb =\n    line1\n      indented\nc = x # not a comment\nd =\n  # kept\n  x\n# real comment\ne = 1\n');
  assert.equal(s.get('a'), '1\n2\n3');
  assert.equal(s.get('b'), 'line1\n  indented');
  assert.equal(s.get('c'), 'x # not a comment');
  assert.equal(s.get('d'), '# kept\nx');
  assert.equal(s.get('e'), '1');
});

test('block values keep inner blank lines and drop leading ones', () => {
  const s = values('[s]\ncmd =\n\n    if x:\n      y\n\n    z\n\n[t]\n');
  assert.equal(s.get('cmd'), 'if x:\n  y\n\nz');
});

test('an indented option right after a header is a parse error naming the line', () => {
  assert.throws(() => parseConfig('[s]\n  a = 1\n', 'f.cfg', '/'), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'BUILDOUT_ERR_PARSE');
    assert.match(error.message, /File contains parsing errors: f\.cfg\n\t\[line {2}2\]: ' {2}a = 1'/);
    return true;
  });
});

test('an option before any section header is refused', () => {
  assert.throws(() => parseConfig('a = 1\n', 'f.cfg', '/'), /File contains no section headers\.\nfile: f\.cfg, line: 1\n'a = 1'/);
});

test('+= and -= spellings, => dependencies and <= macros are options', () => {
  const file = parseConfig('[s]\na += x\nb+= y\nc -= z\n=> p q\n<= m\n', 'f', '/');
  const s = file.sections.get('s')!;
  assert.deepEqual([...s.adds], [['a', 'x'], ['b', 'y']]);
  assert.deepEqual([...s.removes], [['c', 'z']]);
  assert.equal(s.values.get('<part-dependencies>'), 'p q');
  assert.equal(s.values.get('<'), 'm');
});

test('in one file, edits stay beside the value (zc.buildout 2.13/3.0.1): merged over a section below they apply to it, alone they are literal options', () => {
  assert.deepEqual([...values('[s]\na = 1\na += 2\na += 3\n')], [['a', '1'], ['a +', '2\n3']]);
  assert.deepEqual([...values('[s]\na += 2\na = 1\n')], [['a', '1'], ['a +', '2']]);
  const below = parseConfig('[s]\nb = 0\n', '/srv/p/base.cfg', '/srv/p').sections.get('s')!;
  const over = parseConfig('[s]\na = 1\n  2\n  3\na -= 2\nb += 9\n', '/srv/p/buildout.cfg', '/srv/p').sections.get('s')!;
  assert.deepEqual([...finalizeSection(mergeSection(below, over))], [['b', '0\n9'], ['a', '1\n3']]);
});

test('a section header may carry a comment; a name seen twice re-opens the section', () => {
  const s = values('[s] # comment\na = 1\n[t]\n[s]\nb = 2\na = 3\n');
  assert.deepEqual([...s], [['a', '3'], ['b', '2']]);
});

test('conditional sections: markers, helper booleans and the Python subset SlapOS profiles use', () => {
  const file = parseConfig([
    '[a:python3]', 'x = 1',
    '[b:python2]', 'x = 2', '  more',
    '[c:python_version >= "3.6" and os_name == "posix"]', 'x = 3',
    '[d:bits64 or (windows)]', 'x = 4',
    '[e:sys.version_info < (3,8)]', 'x = 5',
    '[f:sys.version_info >= (3, 10) and posix]', 'x = 6',
    `[g:linux and platform.machine() == "${process.arch === 'x64' ? 'x86_64' : 'nope'}"]`, 'x = 7',
    // Short-circuit: the unsupported open() is never evaluated.
    "[h:os.path.isdir('/nonexistent') and 'x' in open('/proc/nope').read()]", 'x = 8',
    '[i:[int(q) for q in "5.10.0".split(".")[:2]]<[4,14]]', 'x = 9',
    '[j:python311 and not python27]', 'x = 10',
  ].join('\n'), 'f', '/');
  assert.deepEqual([...file.sections.keys()], ['a', 'c', 'd', 'f', ...(process.arch === 'x64' ? ['g'] : []), 'j']);
  assert.throws(() => parseConfig("[s]\n[e:__import__('os').name == 'posix']\n", 'f', '/'),
    (error: Error & { code?: string }) => error.code === 'BUILDOUT_ERR_CONDITION' && /^f, line 2: .*the name '__import__' is not supported/.test(error.message));
});

test('${:_profile_base_location_} is the directory of the file that writes it', () => {
  assert.equal(values('[s]\nt = ${:_profile_base_location_}/instance.cfg\n').get('t'), '/srv/p/instance.cfg');
});
