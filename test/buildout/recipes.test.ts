import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shellQuote, shellSplit } from '../../src/buildout/recipes/shell.ts';
import { progress, run, workspace } from './helpers.ts';

const md5 = (data: string | Buffer): string => createHash('md5').update(data).digest('hex');

test('template: url relative to the buildout directory, md5sum checked, ${} rendered, mode applied', async () => {
  const template = 'port ${s:port} $${kept}\n';
  const dir = workspace({
    'tpl.in': template,
    'buildout.cfg': `[buildout]\nparts = t\n[s]\nport = 80\n[t]\nrecipe = slapos.recipe.template\nurl = tpl.in\nmd5sum = ${md5(template)}\noutput = \${buildout:directory}/out\nmode = 0640\n`,
  });
  await run(dir);
  assert.equal(readFileSync(join(dir, 'out'), 'utf8'), 'port 80 ${kept}\n');
  assert.equal(statSync(join(dir, 'out')).mode & 0o777, 0o640);
  writeFileSync(join(dir, 'buildout.cfg'), readFileSync(join(dir, 'buildout.cfg'), 'utf8').replace(md5(template), md5('other')));
  await assert.rejects(run(dir), { code: 'BUILDOUT_ERR_CHECKSUM', message: `MD5 checksum mismatch for local resource at '${join(dir, 'tpl.in')}'.` });
});

test('template: a changed url template reinstalls its part (rendered hash is an option)', async () => {
  const dir = workspace({
    'tpl.in': 'one',
    'buildout.cfg': '[buildout]\nparts = t\n[t]\nrecipe = slapos.recipe.template\nurl = tpl.in\noutput = ${buildout:directory}/out\n',
  });
  await run(dir);
  writeFileSync(join(dir, 'tpl.in'), 'two');
  assert.deepEqual(progress((await run(dir)).log), ['Uninstalling t.', 'Installing t.']);
  assert.equal(readFileSync(join(dir, 'out'), 'utf8'), 'two');
});

test('shell words split and quote as Python shlex does', () => {
  assert.deepEqual(shellSplit(`/bin/echo "a b" c 'd "e"' f\\ g "x\\"y" #h`), ['/bin/echo', 'a b', 'c', 'd "e"', 'f g', 'x"y', '#h']);
  assert.equal(shellQuote(''), "''");
  assert.equal(shellQuote('/srv/a-b_c.d:e,f+g=h@i%j'), '/srv/a-b_c.d:e,f+g=h@i%j');
  assert.equal(shellQuote("it's"), `'it'"'"'s'`);
  assert.equal(shellQuote('café'), "'café'", 'only ASCII word characters are safe, as shlex.quote (re.ASCII)');
  assert.throws(() => shellSplit('"open'), /No closing quotation/);
});

test('wrapper: exact script, mode 0700, runs the command with the arguments given', async () => {
  const dir = workspace({
    'buildout.cfg': `[buildout]
parts = w n
[w]
recipe = slapos.cookbook:wrapper
command-line = /bin/echo "a b" c
wrapper-path = \${buildout:directory}/w
environment =
  B=2
   A = x y
[n]
recipe = slapos.cookbook:wrapper
command-line = /srv/bin/nginx -c '/srv/etc/nginx.conf' -g "daemon off;"
wrapper-path = \${buildout:directory}/n
environment = LANG=C.UTF-8
`,
  });
  await run(dir);
  const wrapper = join(dir, 'w');
  assert.equal(readFileSync(wrapper, 'utf8'), "#!/bin/sh -e\nexport A='x y'\nexport B=2\nexec /bin/echo 'a b' c \"$@\"\n");
  assert.equal(statSync(wrapper).mode & 0o777, 0o700);
  assert.equal(execFileSync(wrapper, ['z'], { encoding: 'utf8' }), 'a b c z\n');
  assert.equal(readFileSync(join(dir, 'n'), 'utf8'), "#!/bin/sh -e\nexport LANG=C.UTF-8\nexec /srv/bin/nginx -c /srv/etc/nginx.conf \\\n\t-g 'daemon off;' \"$@\"\n");
});

test('wrapper: hash-files names the wrapper after the content; a changed file replaces it in the same run', async () => {
  const profile = (content: string): string => `[buildout]
parts = w
[f]
recipe = slapos.recipe.template
inline = ${content}
output = \${buildout:directory}/f
[w]
recipe = slapos.cookbook:wrapper
command-line = /bin/true
wrapper-path = \${buildout:directory}/w
hash-files = \${f:output}
`;
  const dir = workspace({ 'buildout.cfg': profile('one') });
  await run(dir);
  const hashed = (content: string): string => join(dir, `w-${md5(`${content.length}\n${content}`)}`);
  assert.ok(existsSync(hashed('one')));
  writeFileSync(join(dir, 'buildout.cfg'), profile('two'));
  await run(dir);
  assert.ok(existsSync(hashed('two')));
  assert.equal(existsSync(hashed('one')), false, 'the stale wrapper is removed');
  assert.deepEqual(progress((await run(dir)).log), ['Updating f.', 'Updating w.']);
});

test('wrapper: options needing the Python helper fail clearly', async () => {
  const dir = workspace({ 'buildout.cfg': '[buildout]\nparts = w\n[w]\nrecipe = slapos.cookbook:wrapper\ncommand-line = /bin/true\nwrapper-path = w\nprivate-tmpfs = 1M /tmp/x\n' });
  await assert.rejects(run(dir), { code: 'BUILDOUT_ERR_UNSUPPORTED' });
  const signal = workspace({ 'buildout.cfg': '[buildout]\nparts = w\n[w]\nrecipe = slapos.cookbook:wrapper\ncommand-line = /bin/true\nwrapper-path = w\nredirect-signal = HUP\n' });
  await assert.rejects(run(signal), { message: 'redirect-signal without redirecting any output makes no sense' });
});

test('wrapper: wait-for-files waits, pidfile refuses a second copy while the first runs', async () => {
  const dir = workspace({
    'buildout.cfg': `[buildout]
parts = waiting single
[waiting]
recipe = slapos.cookbook:wrapper
command-line = /bin/echo ready
wrapper-path = \${buildout:directory}/waiting
wait-for-files = \${buildout:directory}/flag
[single]
recipe = slapos.cookbook:wrapper
command-line = /bin/sleep 60
wrapper-path = \${buildout:directory}/single
pidfile = \${buildout:directory}/single.pid
`,
  });
  await run(dir);
  const waiting = spawn(join(dir, 'waiting'), [], { stdio: ['ignore', 'pipe', 'inherit'] });
  let waitingOutput = '';
  waiting.stdout.setEncoding('utf8').on('data', (chunk: string) => { waitingOutput += chunk; });
  const waited = new Promise<number | null>((resolve) => waiting.on('close', resolve));
  writeFileSync(join(dir, 'flag'), '');
  assert.equal(await waited, 0);
  assert.equal(waitingOutput, 'ready\n');

  const first = spawn(join(dir, 'single'), [], { stdio: 'ignore' });
  try {
    const pidfile = join(dir, 'single.pid');
    // The pid file is written just before exec: wait until the recorded process is sleep itself.
    while (!(existsSync(pidfile) && readFileSync(pidfile, 'utf8').trim() === String(first.pid) && readFileSync(`/proc/${first.pid}/cmdline`, 'utf8').startsWith('/bin/sleep'))) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const second = spawnSync(join(dir, 'single'), [], { encoding: 'utf8' });
    assert.equal(second.status, 1);
    assert.equal(second.stdout, `Already running with pid ${first.pid}.\n`);
  } finally {
    first.kill();
  }
});

test('mkdirectory: creates every path, returns nothing, so uninstall keeps the directories', async () => {
  const dir = workspace({ 'buildout.cfg': '[buildout]\nparts = d\n[d]\nrecipe = slapos.cookbook:mkdirectory\na = ${buildout:directory}/x/y\nb = ${buildout:directory}/x\nmode = 0700\n' });
  await run(dir);
  assert.ok(statSync(join(dir, 'x', 'y')).isDirectory());
  writeFileSync(join(dir, 'buildout.cfg'), '[buildout]\nparts =\n');
  await run(dir);
  assert.ok(statSync(join(dir, 'x', 'y')).isDirectory());
});

test('plone.recipe.command: runs in the buildout directory, update-command on rerun, location owned', async () => {
  const dir = workspace({
    'buildout.cfg': '[buildout]\nparts = c\n[c]\nrecipe = plone.recipe.command\ncommand = pwd > made; echo installed\nupdate-command = echo updated >> made\nlocation = ${buildout:directory}/made\n',
  });
  const first = await run(dir);
  assert.equal(readFileSync(join(dir, 'made'), 'utf8'), `${dir}\n`);
  assert.equal(first.output, 'installed\n');
  await run(dir);
  assert.equal(readFileSync(join(dir, 'made'), 'utf8'), `${dir}\nupdated\n`);
  writeFileSync(join(dir, 'buildout.cfg'), '[buildout]\nparts =\n');
  await run(dir);
  assert.equal(existsSync(join(dir, 'made')), false);
  const failing = workspace({ 'buildout.cfg': '[buildout]\nparts = c\n[c]\nrecipe = plone.recipe.command\ncommand = exit 4\n' });
  await run(failing);
  const empty = workspace({ 'buildout.cfg': '[buildout]\nparts = c\n[c]\nrecipe = plone.recipe.command\n' });
  await assert.rejects(run(empty), /No command specified/);
});

test('download and downloadunpacked over http: checksums checked, archives unpacked, offline refused', async () => {
  const source = workspace({ 'pkg-1.0/README': 'hello', 'pkg-1.0/bin/tool': 'x' });
  execFileSync('tar', ['-czf', join(source, 'pkg.tar.gz'), '-C', source, 'pkg-1.0']);
  const archive = readFileSync(join(source, 'pkg.tar.gz'));
  const server = createServer((request, response) => {
    if (request.url === '/file.txt') response.end('content');
    else if (request.url === '/pkg.tar.gz') response.end(archive);
    else { response.statusCode = 404; response.end(); }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const profile = (fileSum: string, extra = ''): string => `[buildout]
parts = f u
${extra}
[f]
recipe = slapos.recipe.build:download
url = ${base}/file.txt
md5sum = ${fileSum}
filename = f.txt
mode = 0600
[u]
recipe = slapos.recipe.build:download-unpacked
url = ${base}/pkg.tar.gz
md5sum = ${md5(archive)}
[show]
recipe = slapos.recipe.template
inline = \${f:target} \${u:location}
output = \${buildout:directory}/show
`;
    const dir = workspace({ 'buildout.cfg': profile(md5('content')) });
    await run(dir);
    assert.equal(readFileSync(join(dir, 'parts', 'f', 'f.txt'), 'utf8'), 'content');
    assert.equal(statSync(join(dir, 'parts', 'f', 'f.txt')).mode & 0o777, 0o600);
    assert.equal(readFileSync(join(dir, 'parts', 'u', 'README'), 'utf8'), 'hello');
    assert.deepEqual(readdirSync(join(dir, 'parts', 'u')).sort(), ['README', 'bin']);
    const bad = workspace({ 'buildout.cfg': profile(md5('other')) });
    await assert.rejects(run(bad), { code: 'BUILDOUT_ERR_CHECKSUM', message: `MD5 checksum mismatch downloading '${base}/file.txt'` });
    assert.equal(existsSync(join(bad, 'parts', 'f', 'f.txt')), false);
    const offline = workspace({ 'buildout.cfg': profile(md5('content')) });
    await assert.rejects(run(offline, ['-o']), { code: 'BUILDOUT_ERR_OFFLINE' });
  } finally {
    server.close();
  }
});

test('generate.password: stored once, exposed as passwd, never written to .installed.cfg', async () => {
  const dir = workspace({
    'buildout.cfg': '[buildout]\nparts = show\n[pw]\nrecipe = slapos.cookbook:generate.password\nbytes = 24\n[show]\nrecipe = slapos.recipe.template:jinja2\noutput = out\ninline = {{ p }}\ncontext = key p pw:passwd\n',
  });
  await run(dir);
  const password = readFileSync(join(dir, 'out'), 'utf8');
  assert.match(password, /^[A-Za-z0-9]{24}$/);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'parts', 'pw'), 'utf8')), { '': password });
  assert.doesNotMatch(readFileSync(join(dir, '.installed.cfg'), 'utf8'), new RegExp(password));
  assert.deepEqual(progress((await run(dir)).log), ['Updating pw.', 'Updating show.']);
  assert.equal(readFileSync(join(dir, 'out'), 'utf8'), password);
});

test('symbolic.link: links binaries into a directory, removed on uninstall', async () => {
  const dir = workspace({ 'bin-src/tool': '#!/bin/sh\n', 'buildout.cfg': '[buildout]\nparts = l\n[l]\nrecipe = slapos.cookbook:symbolic.link\ntarget-directory = ${buildout:bin-directory}\nlink-binary = ${buildout:directory}/bin-src/tool\n' });
  await run(dir);
  assert.equal(readFileSync(join(dir, 'bin', 'tool'), 'utf8'), '#!/bin/sh\n');
  writeFileSync(join(dir, 'buildout.cfg'), '[buildout]\nparts =\n');
  await run(dir);
  assert.equal(existsSync(join(dir, 'bin', 'tool')), false);
});
