import { test } from 'node:test';
import assert from 'node:assert/strict';
import { annotateConfiguration, Buildout, builtinRecipes, loadConfiguration, type Options } from '../../src/buildout/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { workspace } from './helpers.ts';

async function sections(config: string): Promise<(name: string) => Promise<Options>> {
  const dir = workspace({ 'buildout.cfg': `[buildout]\nparts =\n${config}` });
  const loaded = await loadConfiguration({ configFile: 'buildout.cfg', cwd: dir });
  const buildout = new Buildout({ config: loaded.config, registry: builtinRecipes(), logger: silentLogger() });
  await buildout.start();
  return (name) => buildout.section(name);
}

test('macros copy raw values: ${:x} and _buildout_section_name_ resolve in the using section', async () => {
  const get = await sections(`
[base]
home = /srv/x
sub = \${:home}/\${:_buildout_section_name_}
list = a
[dirs]
<= base
home = /srv/y
list += b
[two]
<=
  base
  dirs
home = /srv/z
`);
  const dirs = await get('dirs');
  assert.equal(dirs.get('sub'), '/srv/y/dirs');
  assert.equal(dirs.get('list'), 'a\nb');
  assert.equal(dirs.has('<'), false);
  assert.equal((await get('base')).get('sub'), '/srv/x/base');
  assert.equal((await get('two')).get('sub'), '/srv/z/two');
  assert.equal((await get('two')).get('list'), 'a\nb');
});

test('macro errors: several names on one line, loops', async () => {
  const get = await sections('[a]\nx = 1\n[b]\nx = 2\n[s]\n<= a b\n[l1]\n<= l2\n[l2]\n<= l1\n');
  await assert.rejects(get('s'), { code: 'BUILDOUT_ERR_MACRO', message: /^No section named 'a b'\nWhile reading the '<=' macros of \[s\]/ });
  await assert.rejects(get('l1'), { code: 'BUILDOUT_ERR_MACRO', message: /^Infinite extending loop 'l1'/ });
});

test('substitution, $${ escaping, and references inserted without re-scanning', async () => {
  const get = await sections('[a]\nx = ${b:y}-$${b:y}\nz = ${:x}\nshell = $${PATH:+:$PATH} $$ $HOME\n[b]\ny = 1\n');
  const a = await get('a');
  assert.equal(a.get('x'), '1-${b:y}');
  assert.equal(a.get('z'), '1-${b:y}');
  assert.equal(a.get('shell'), '${PATH:+:$PATH} $$ $HOME');
});

test('substitution errors carry zc.buildout messages', async () => {
  const cases: [string, string, RegExp][] = [
    ['q = ${b:nope}', 'BUILDOUT_ERR_MISSING_OPTION', /Referenced option does not exist: b:nope/],
    ['q = ${b}', 'BUILDOUT_ERR_SUBSTITUTION', /The substitution, \$\{b\},\ndoesn't contain a colon\./],
    ['q = ${b:y:z}', 'BUILDOUT_ERR_SUBSTITUTION', /has too many colons/],
    ['q = ${b!:y}', 'BUILDOUT_ERR_SUBSTITUTION', /section name in substitution, \$\{b!:y\},\nhas invalid characters/],
    ['q = ${nosuch:x}', 'BUILDOUT_ERR_MISSING_SECTION', /The referenced section, 'nosuch', was not defined\./],
    ['p = ${c:q}\nq = ${c:p}', 'BUILDOUT_ERR_CIRCULAR', /Circular reference in substitutions\./],
  ];
  for (const [options, code, message] of cases) {
    const get = await sections(`[b]\ny = 1\n[c]\n${options}\n`);
    await assert.rejects(get('c'), (error: Error & { code?: string }) => {
      assert.equal(error.code, code, options);
      assert.match(error.message, message);
      return true;
    });
  }
});

test('sections never used are never checked', async () => {
  const get = await sections('[broken]\nq = ${nosuch:x}\n[fine]\nx = 1\n');
  assert.equal((await get('fine')).get('x'), '1');
});

test('annotateConfiguration: raw merged values, or every option resolved without running recipes', async () => {
  const dir = workspace({
    'buildout.cfg': '[buildout]\nparts = p\n[p]\nrecipe = unknown.recipe\nx = ${q:y}/${:_buildout_section_name_}\nbad = ${nosuch:z}\n[q]\ny = 1\n',
  });
  const raw = await annotateConfiguration({ configFile: 'buildout.cfg', cwd: dir });
  assert.equal(raw.p!.x, '${q:y}/${:_buildout_section_name_}');
  const resolved = await annotateConfiguration({ configFile: 'buildout.cfg', cwd: dir, resolve: true });
  assert.equal(resolved.p!.x, '1/p');
  assert.equal(resolved.p!.recipe, 'unknown.recipe');
  assert.match(JSON.stringify(resolved.p!.bad), /^{"__error__":"The referenced section, 'nosuch', was not defined.\\nWhile reading p:bad /);
  assert.equal(resolved.buildout!.directory, dir);
});
