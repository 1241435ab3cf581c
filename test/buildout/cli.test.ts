import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSlapos } from '../helpers/cli.ts';
import { parseBuildoutArguments } from '../../src/buildout/index.ts';
import { workspace } from './helpers.ts';

test('slapos buildout runs a profile in the current directory, printing zc.buildout progress lines', async () => {
  const dir = workspace({
    'profile.cfg': '[buildout]\nparts = t\n[t]\nrecipe = slapos.recipe.template\ninline = ${:greeting}\ngreeting = hi\noutput = ${buildout:directory}/t\n',
  });
  const first = await runSlapos(['buildout', '-c', 'profile.cfg', 't:greeting=hello', '-N'], { cwd: dir });
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /Installing t\./);
  assert.equal(readFileSync(join(dir, 't'), 'utf8'), 'hello');
});

test('slapos buildout fails with one clear line and status 1', async () => {
  const dir = workspace({ 'buildout.cfg': '[buildout]\nparts = x\n[x]\nrecipe = zc.recipe.egg\n' });
  const result = await runSlapos(['buildout'], { cwd: dir });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^slapos: Recipe 'zc\.recipe\.egg' \(used by part 'x'\) is not built into this buildout engine\./m);
  assert.equal(result.stderr.trim().split('\n').length, 1);
});

test('the command line is parsed as bin/buildout does', () => {
  const args = parseBuildoutArguments(['-vvN', '-cfoo.cfg', 'a:b=c d', 'x=1', '-U', 'install', 'p1', 'p2']);
  assert.equal(args.configFile, 'foo.cfg');
  assert.equal(args.verbosity, 20);
  assert.equal(args.noUserDefaults, true);
  assert.deepEqual(args.parts, ['p1', 'p2']);
  assert.deepEqual(args.assignments, [
    { section: 'buildout', option: 'newest', value: 'false' },
    { section: 'a', option: 'b', value: 'c d' },
    { section: 'buildout', option: 'x', value: '1' },
    { section: 'buildout', option: 'verbosity', value: '20' },
  ]);
  assert.throws(() => parseBuildoutArguments(['-x']), { code: 'BUILDOUT_ERR_USAGE', message: 'Error: Invalid option -x' });
  assert.throws(() => parseBuildoutArguments(['a:b:c=1']), { code: 'BUILDOUT_ERR_USAGE' });
  assert.throws(() => parseBuildoutArguments(['bootstrap']), { code: 'BUILDOUT_ERR_UNSUPPORTED' });
  assert.throws(() => parseBuildoutArguments(['frobnicate']), { message: 'Error: invalid command: frobnicate' });
});
