import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runSlapos } from '../../helpers/cli.ts';
import { parseBuildoutArguments } from '../../../src/buildout/index.ts';
import { FIXTURES } from './reference.ts';

const CASES = join(FIXTURES, 'config');

test('slapos buildout annotate: every option with the files that set it, like zc.buildout', async () => {
  const result = await runSlapos(['buildout', '-c', join(CASES, 'extends-chain', 'buildout.cfg'), 'annotate', 'shared', 'buildout']);
  assert.equal(result.code, 0, result.stderr);
  const text = result.stdout;
  assert.match(text, /^\nAnnotated sections\n==================\n\n\[buildout\]\n/);
  assert.match(text, /\nallow-hosts= \*\n {4}DEFAULT_VALUE\n/);
  assert.match(text, /\nparts= leaf-part\na-part\na-part\nroot-part\nshared-part\n {4}stack\/deep\/deeper\/leaf\.cfg\n\+= {2}component\/a\/buildout\.cfg\n\+= {2}component\/a\/buildout\.cfg\n\+= {2}buildout\.cfg\n/);
  assert.match(text, /\nlist= base\nfrom-b\nfrom-root\n {4}component\/shared\.cfg\n(\+=|-=) {2}/);
  assert.doesNotMatch(text, /\[leaf\]/, 'only the sections asked for');
});

test('slapos buildout annotate: executable is the python3 found on PATH, overridable', { skip: existsSync('/usr/bin/python3') ? false : 'no /usr/bin/python3' }, async () => {
  const config = join(CASES, 'executable', 'buildout.cfg');
  const onPath = await runSlapos(['buildout', '-c', config, 'annotate', 'buildout'], { env: { PATH: '/usr/bin:/bin' } });
  assert.equal(onPath.code, 0, onPath.stderr);
  assert.match(onPath.stdout, /\nexecutable= \/usr\/bin\/python3\n {4}DEFAULT_VALUE\n/, 'as found on PATH, not the python3.11 it links to');
  const given = await runSlapos(['buildout', '-c', config, 'buildout:executable=/opt/python/bin/python3', 'annotate', '--format', 'json', '--resolve']);
  assert.equal(given.code, 0, given.stderr);
  const sections = JSON.parse(given.stdout) as Record<string, Record<string, unknown>>;
  assert.equal(sections.python?.command, "/opt/python/bin/python3 -c 'print(1)'");
});

test('slapos buildout annotate --format json --resolve: values substituted, failures as __error__', async () => {
  const result = await runSlapos(['buildout', '-c', join(CASES, 'substitution', 'buildout.cfg'), 'annotate', '--format', 'json', '--resolve']);
  assert.equal(result.code, 0, result.stderr);
  const sections = JSON.parse(result.stdout) as Record<string, Record<string, unknown>>;
  assert.equal(sections.a?.x, '1-${b:y}');
  assert.equal(sections.a?.dir, join(CASES, 'substitution'));
  assert.equal(sections.errors?.fine, '1');
  assert.match(JSON.stringify(sections.errors?.['missing-option']), /^{"__error__":"Referenced option does not exist: b:nope\\nWhile reading errors:missing-option /);
  assert.match(JSON.stringify(sections.errors?.['cycle-a']), /Circular reference/);
  const raw = JSON.parse((await runSlapos(['buildout', '-c', join(CASES, 'macros', 'buildout.cfg'), 'annotate', '--format=json'])).stdout) as Record<string, Record<string, unknown>>;
  assert.equal(raw.nginx?.['wrapper-path'], '${directory:service}/${:_buildout_section_name_}', 'macros applied, ${} untouched');
  assert.equal(raw.nginx?.['<'], undefined);
});

test('annotate arguments: options before or after the command, sections kept', () => {
  const args = parseBuildoutArguments(['-c', 'x.cfg', '--resolve', 'annotate', 'a', '--format', 'json', 'b']);
  assert.deepEqual([args.command, args.configFile, args.resolve, args.format, args.parts], ['annotate', 'x.cfg', true, 'json', ['a', 'b']]);
  assert.throws(() => parseBuildoutArguments(['annotate', '--format', 'yaml']), /--format must be text or json/);
});
