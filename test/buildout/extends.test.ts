import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Buildout, builtinRecipes, loadConfiguration, parseBuildoutArguments, queryOption } from '../../src/buildout/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { workspace } from './helpers.ts';

/** The resolved value of section:option after loading `dir/buildout.cfg` with the given arguments. */
async function option(dir: string, section: string, key: string, argv: string[] = []): Promise<unknown> {
  const args = parseBuildoutArguments(argv);
  const { config } = await loadConfiguration({ configFile: args.configFile, cwd: dir, assignments: args.assignments });
  const buildout = new Buildout({ config, registry: builtinRecipes(), logger: silentLogger() });
  await buildout.start();
  return (await buildout.section(section)).get(key);
}

test('+= and -= over an extended file work on lines', async () => {
  const dir = workspace({
    'base.cfg': '[s]\nl =\n  a\n  b\n  c\nw = a b c\n',
    'buildout.cfg': '[buildout]\nextends = base.cfg\nparts =\n[s]\nl -= b\nl += d\nw -= b\n',
  });
  assert.equal(await option(dir, 's', 'l'), 'a\nc\nd');
  assert.equal(await option(dir, 's', 'w'), 'a b c');
});

test('extends are merged depth-first, left to right, the extending file last (zc.buildout 3 rules)', async () => {
  const dir = workspace({
    'A.cfg': '[buildout]\nparts = a\n',
    'B.cfg': '[buildout]\nparts += b\n',
    'buildout.cfg': '[buildout]\nextends = A.cfg B.cfg\nparts += r\n',
  });
  assert.equal(await option(dir, 'buildout', 'parts'), 'a\nb\nr');
  writeFileSync(join(dir, 'B.cfg'), '[buildout]\nextends = C.cfg\nparts += b\n');
  writeFileSync(join(dir, 'C.cfg'), '[buildout]\nparts = c\n');
  assert.equal(await option(dir, 'buildout', 'parts'), 'c\nb\nr');
});

test('extends are relative to the extending file; a file including itself is refused', async () => {
  const dir = workspace({
    'sub/a.cfg': '[buildout]\nextends = ../b.cfg\n[s]\nx = a\n',
    'b.cfg': '[s]\ny = b\n',
    'buildout.cfg': '[buildout]\nextends = sub/a.cfg\n',
  });
  assert.equal(await option(dir, 's', 'y'), 'b');
  writeFileSync(join(dir, 'b.cfg'), '[buildout]\nextends = sub/a.cfg\n');
  await assert.rejects(option(dir, 's', 'x'), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'BUILDOUT_ERR_RECURSIVE_EXTENDS');
    assert.match(error.message, /Recursive file include .*sub\/a\.cfg -> .*b\.cfg -> .*sub\/a\.cfg/);
    return true;
  });
});

test('command-line assignments come last; += works there too; -c picks the file', async () => {
  const dir = workspace({ 'other.cfg': '[buildout]\nparts = a\n[s]\nx = 1\n' });
  assert.equal(await option(dir, 's', 'x', ['-c', 'other.cfg', 's:x=2']), '2');
  assert.equal(await option(dir, 'buildout', 'parts', ['-cother.cfg', 'buildout:parts+=b']), 'a\nb');
  assert.equal(await option(dir, 'buildout', 'offline', ['-c', 'other.cfg', '-o']), 'true');
  assert.equal(await option(dir, 'buildout', 'newest', ['-c', 'other.cfg', '-N']), 'false');
});

test('http extends: cached under the MD5 of the URL in extends-cache, offline uses only the cache', async () => {
  let hits = 0;
  const server = createServer((request, response) => {
    hits++;
    if (request.url === '/profiles/x.cfg') response.end('[buildout]\nextends = y.cfg\n[s]\nx = remote\n');
    else if (request.url === '/profiles/y.cfg') response.end('[s]\ny = ${:_profile_base_location_}\n');
    else { response.statusCode = 404; response.end(); }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/profiles/x.cfg`;
    const dir = workspace({ 'buildout.cfg': `[buildout]\nextends = ${url}\nextends-cache = cache\n` });
    mkdirSync(join(dir, 'cache'));
    assert.equal(await option(dir, 's', 'x'), 'remote');
    assert.equal(await option(dir, 's', 'y'), url.slice(0, url.lastIndexOf('/')));
    const cached = join(dir, 'cache', createHash('md5').update(url).digest('hex'));
    writeFileSync(cached, '[s]\nx = cached\n');
    const before = hits;
    assert.equal(await option(dir, 's', 'x', ['-o']), 'cached');
    assert.equal(hits, before, 'offline run must not touch the network');

    const offline = workspace({ 'buildout.cfg': `[buildout]\noffline = true\nextends = ${url.replace('x.cfg', 'y.cfg')}\n` });
    await assert.rejects(option(offline, 's', 'y'), { code: 'BUILDOUT_ERR_OFFLINE', message: `Couldn't download '${url.replace('x.cfg', 'y.cfg')}' in offline mode.` });
    const missing = workspace({ 'buildout.cfg': `[buildout]\nextends = ${url.replace('x.cfg', 'nope.cfg')}\n` });
    await assert.rejects(option(missing, 's', 'y'), { code: 'BUILDOUT_ERR_DOWNLOAD' });
  } finally {
    server.close();
  }
});

test('bad [buildout] values are refused with the option named', async () => {
  const dir = workspace({ 'buildout.cfg': '[buildout]\noffline = yes\n' });
  await assert.rejects(option(dir, 's', 'x'), { code: 'BUILDOUT_ERR_OPTION_VALUE', message: "Invalid value for 'offline' option: 'yes'" });
  const develop = workspace({ 'buildout.cfg': '[buildout]\ndevelop = src/egg\n' });
  await assert.rejects(option(develop, 'buildout', 'parts'), { code: 'BUILDOUT_ERR_UNSUPPORTED' });
  const nofile = workspace();
  await assert.rejects(option(nofile, 'buildout', 'parts'), /Couldn't open .*buildout\.cfg/);
});

test('query prints the raw merged value, before substitution', async () => {
  const dir = workspace({ 'base.cfg': '[s]\nl = a\n', 'buildout.cfg': '[buildout]\nextends = base.cfg\n[s]\nl += ${t:x}\n' });
  assert.equal(await queryOption({ cwd: dir, argv: ['query', 's:l'] }), 'a\n${t:x}');
  assert.equal(await queryOption({ cwd: dir, argv: ['s:l-=a', 'query', 's:l'] }), '${t:x}');
  await assert.rejects(queryOption({ cwd: dir, argv: ['query', 'nope:l'] }), { message: 'Section not found: nope' });
  await assert.rejects(queryOption({ cwd: dir, argv: ['query', 's:nope'] }), { message: 'Key not found: nope' });
  assert.throws(() => parseBuildoutArguments(['query', 'x']), { code: 'BUILDOUT_ERR_USAGE' });
});
