import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readInstalled } from '../../src/buildout/index.ts';
import { decodeInstalledValue, encodeInstalledValue, roundTrip } from '../../src/buildout/installed.ts';
import { progress, run, workspace } from './helpers.ts';

const PROFILE = `[buildout]
parts = a
[a]
recipe = slapos.recipe.template
inline = \${b:output}
output = \${buildout:directory}/a
[b]
recipe = slapos.recipe.template
inline = hello
output = \${buildout:directory}/b
[c]
recipe = unknown.recipe
`;

test('parts are installed in reference order; unreferenced sections are not touched', async () => {
  const dir = workspace({ 'buildout.cfg': PROFILE });
  const { log } = await run(dir);
  assert.deepEqual(progress(log), ['Installing b.', 'Installing a.']);
  assert.equal(readFileSync(join(dir, 'a'), 'utf8'), join(dir, 'b'));
  assert.equal(readFileSync(join(dir, 'b'), 'utf8'), 'hello');
  assert.deepEqual(readInstalled(join(dir, '.installed.cfg')).parts, ['b', 'a']);
  for (const directory of ['bin', 'parts', 'develop-eggs']) assert.ok(existsSync(join(dir, directory)));
});

test('an unknown recipe in parts fails before anything is installed or uninstalled', async () => {
  const dir = workspace({ 'buildout.cfg': PROFILE });
  await run(dir);
  writeFileSync(join(dir, 'buildout.cfg'), PROFILE.replace('parts = a', 'parts = c'));
  await assert.rejects(run(dir), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'BUILDOUT_ERR_UNKNOWN_RECIPE');
    assert.match(error.message, /Recipe 'unknown\.recipe' \(used by part 'c'\).*Python zc\.buildout/s);
    return true;
  });
  assert.ok(existsSync(join(dir, 'a')) && existsSync(join(dir, 'b')));
  assert.deepEqual(readInstalled(join(dir, '.installed.cfg')).parts, ['b', 'a']);
});

test('a rerun with nothing changed updates every part and leaves files untouched', async () => {
  const dir = workspace({ 'buildout.cfg': PROFILE });
  await run(dir);
  const mtime = statSync(join(dir, 'a')).mtimeMs;
  const installed = readFileSync(join(dir, '.installed.cfg'), 'utf8');
  const { log } = await run(dir);
  assert.deepEqual(progress(log), ['Updating b.', 'Updating a.']);
  assert.equal(statSync(join(dir, 'a')).mtimeMs, mtime);
  assert.equal(readFileSync(join(dir, '.installed.cfg'), 'utf8'), installed);
});

test('a changed part is reinstalled, and so are the parts whose resolved options changed', async () => {
  const dir = workspace({ 'buildout.cfg': PROFILE });
  await run(dir);
  writeFileSync(join(dir, 'buildout.cfg'), PROFILE.replace('inline = hello', 'inline = bye'));
  assert.deepEqual(progress((await run(dir)).log), ['Uninstalling b.', 'Installing b.', 'Updating a.']);
  assert.equal(readFileSync(join(dir, 'b'), 'utf8'), 'bye');
  writeFileSync(join(dir, 'buildout.cfg'), PROFILE.replace('inline = hello', 'inline = bye').replace('directory}/b', 'directory}/b2'));
  assert.deepEqual(progress((await run(dir)).log), ['Uninstalling a.', 'Uninstalling b.', 'Installing b.', 'Installing a.']);
  assert.equal(existsSync(join(dir, 'b')), false);
  assert.equal(readFileSync(join(dir, 'a'), 'utf8'), join(dir, 'b2'));
});

test('a removed part is uninstalled with its files; no part left removes .installed.cfg', async () => {
  const dir = workspace({ 'buildout.cfg': PROFILE });
  await run(dir);
  writeFileSync(join(dir, 'buildout.cfg'), PROFILE.replace('parts = a', 'parts ='));
  assert.deepEqual(progress((await run(dir)).log), ['Uninstalling a.', 'Uninstalling b.']);
  assert.equal(existsSync(join(dir, 'a')), false);
  assert.equal(existsSync(join(dir, 'b')), false);
  assert.equal(existsSync(join(dir, '.installed.cfg')), false);
});

test('a file deleted by hand makes its part reinstall', async () => {
  const dir = workspace({ 'buildout.cfg': PROFILE });
  await run(dir);
  rmSync(join(dir, 'b'));
  assert.deepEqual(progress((await run(dir)).log), ['Uninstalling b.', 'Installing b.', 'Updating a.']);
  assert.equal(readFileSync(join(dir, 'b'), 'utf8'), 'hello');
});

test('a failing part stops the run; parts before it stay recorded; the next run resumes', async () => {
  const failing = PROFILE.replace('[a]\nrecipe = slapos.recipe.template', '[a]\nrecipe = plone.recipe.command\ncommand = exit 3\nstop-on-error = yes\nx = ${b:output}\nrecipe2 = slapos.recipe.template');
  const dir = workspace({ 'buildout.cfg': failing });
  await assert.rejects(run(dir), { code: 'BUILDOUT_ERR_RECIPE', message: 'a: Non zero exit code (3) while running command.' });
  assert.deepEqual(readInstalled(join(dir, '.installed.cfg')).parts, ['b']);
  writeFileSync(join(dir, 'buildout.cfg'), failing.replace('exit 3', 'true'));
  assert.deepEqual(progress((await run(dir)).log), ['Updating b.', 'Installing a.']);
});

test('install with explicit parts leaves the other recorded parts alone', async () => {
  const profile = `${PROFILE}[d]\nrecipe = slapos.recipe.template\ninline = d\noutput = \${buildout:directory}/d\n`;
  const dir = workspace({ 'buildout.cfg': profile.replace('parts = a', 'parts = a d') });
  await run(dir);
  writeFileSync(join(dir, 'buildout.cfg'), profile.replace('parts = a', 'parts = a d').replace('inline = d', 'inline = D'));
  assert.deepEqual(progress((await run(dir, ['install', 'b'])).log), ['Updating b.']);
  assert.equal(readFileSync(join(dir, 'd'), 'utf8'), 'd');
});

test('.installed.cfg value encoding round-trips whitespace', () => {
  assert.equal(encodeInstalledValue('  x\n  y\n'),
    '%(__buildout_space__)s%(__buildout_space__)sx\n\t%(__buildout_space__)s%(__buildout_space__)sy%(__buildout_space_n__)s');
  assert.equal(encodeInstalledValue('a\nb'), 'a\n\tb');
  assert.equal(encodeInstalledValue(''), '');
  assert.equal(encodeInstalledValue('\nfoo'), '%(__buildout_space_n__)sfoo');
  for (const value of ['  x\n  y\n', 'a\nb', '', '\nfoo', 'a\n\n  b  ', ' lead', 'trail ', 'x\r\ny']) {
    assert.equal(roundTrip(value), value, JSON.stringify(value));
  }
  assert.equal(decodeInstalledValue('%(__buildout_space__)sx'), ' x');
});

test('block values with indentation do not reinstall on rerun', async () => {
  const dir = workspace({
    'buildout.cfg': '[buildout]\nparts = t\n[t]\nrecipe = slapos.recipe.template\noutput = ${buildout:directory}/t\ninline =\n  if x:\n      y\n\n  z\n',
  });
  await run(dir);
  assert.deepEqual(progress((await run(dir)).log), ['Updating t.']);
  assert.equal(readFileSync(join(dir, 't'), 'utf8'), 'if x:\n    y\n\nz');
});
