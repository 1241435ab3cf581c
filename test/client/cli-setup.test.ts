import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { ConfigFile } from '../../src/config/index.ts';
import { runSlapos, slaposArgv, startProxyProcess, REPO_ROOT } from '../helpers/cli.ts';
import { startTestProxy } from '../helpers/proxy.ts';
import { freePort } from '../helpers/net.ts';
import { tempDir, writeClientConfig } from './helpers.ts';

async function body(request: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of request) text += String(chunk);
  return text;
}

test('configure local gives a node the proxy, slapformat and the client commands work on', async (t) => {
  const dir = tempDir(t);
  const home = join(dir, 'home');
  const port = await freePort();
  const env = { HOME: home };
  const configure = await runSlapos(['configure', 'local', '--base-directory', join(dir, 'node'), '--daemon-listen-port', String(port),
    '--partition-number', '2', '--format', 'json'], { env });
  assert.equal(configure.code, 0, configure.stderr);
  const layout = JSON.parse(configure.stdout) as { configPath: string; instanceRoot: string; clientConfigLink: string };
  assert.equal(layout.clientConfigLink, join(home, '.slapos/slapos-client.cfg'));
  const cfg = layout.configPath;

  const again = await runSlapos(['configure', 'local', '--base-directory', join(dir, 'node')], { env });
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already exists at .*slapos\.cfg/);

  await startProxyProcess(t, cfg, env);

  const format = await runSlapos(['node', 'format', '--cfg', cfg, '--now'], { env });
  assert.equal(format.code, 0, format.stderr);
  assert.ok(statSync(join(layout.instanceRoot, 'slappart1')).isDirectory());
  assert.equal((await runSlapos(['supply', 'http://example.org/demo.cfg', 'local_computer'], { env })).code, 0);
  const request = await runSlapos(['request', 'demo', 'http://example.org/demo.cfg', '--format', 'json'], { env });
  assert.equal(request.code, 0, request.stderr);
  assert.equal((JSON.parse(request.stdout) as { state: string }).state, 'started');
  const list = await runSlapos(['list'], { env });
  assert.equal(list.stdout, 'demo http://example.org/demo.cfg\n', 'the client commands use the linked configuration without --cfg');
});

test('configure client and node register write what the master issued, and refuse a bad token', async (t) => {
  const dir = tempDir(t);
  // No master web side runs here (our proxy has none), so this loopback server plays it.
  const web = createServer((request, response) => {
    void body(request).then((form) => {
      const url = new URL(request.url!, 'http://x');
      const authorised = request.headers['x-access-token'] === 'good-token'
        || request.headers.authorization === `Basic ${Buffer.from('alice:secret').toString('base64')}`;
      response.setHeader('content-type', 'application/json');
      if (!authorised) { response.statusCode = 403; return void response.end('{}'); }
      if (url.pathname === '/Person_getCertificate') return void response.end('{"certificate": "PERSON CERT", "key": "PERSON KEY"}');
      const title = new URLSearchParams(form).get('title') ?? url.searchParams.get('title');
      if (url.pathname === '/Person_requestComputer' && title === 'taken') { response.statusCode = 400; return void response.end('Certificate still active.'); }
      if (url.pathname === '/Person_requestComputer') {
        return void response.end(JSON.stringify({ certificate: `Subject: CN=COMP-42/emailAddress=x (${title})`, key: 'NODE KEY' }));
      }
      response.statusCode = 404;
      response.end('{}');
    });
  });
  web.listen(0, '127.0.0.1');
  await once(web, 'listening');
  t.after(() => web.close());
  const webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;

  const clientCfg = join(dir, 'client', 'slapos-client.cfg');
  const refused = await runSlapos(['configure', 'client', '--cfg', clientCfg, '--master-url', 'https://master.example.org', '--master-url-web', webUrl, '--token', 'bad']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /access denied; check the token/);
  assert.equal(existsSync(clientCfg), false, 'nothing written on a refusal');
  const client = await runSlapos(['configure', 'client', '--cfg', clientCfg, '--master-url', 'https://master.example.org', '--master-url-web', webUrl, '--token', 'good-token']);
  assert.equal(client.code, 0, client.stderr);
  const written = ConfigFile.load(clientCfg);
  assert.equal(written.getString('slapos', 'master_url'), 'https://master.example.org');
  assert.equal(readFileSync(written.getString('slapconsole', 'cert_file'), 'utf8'), 'PERSON CERT');
  assert.equal(statSync(written.getString('slapconsole', 'key_file')).mode & 0o777, 0o600);
  assert.equal((await runSlapos(['configure', 'client', '--cfg', clientCfg, '--master-url-web', webUrl, '--token', 'good-token'])).code, 1);

  const nodeCfg = join(dir, 'etc', 'slapos.cfg');
  const register = await runSlapos(['node', 'register', 'mynode', '--cfg', nodeCfg, '--master-url', 'https://master.example.org', '--master-url-web', webUrl,
    '--token', 'good-token', '--partition-number', '4', '--software-root', join(dir, 'opt'), '--instance-root', join(dir, 'srv')]);
  assert.equal(register.code, 0, register.stderr);
  assert.match(register.stdout, /configured as COMP-42/);
  const node = ConfigFile.load(nodeCfg);
  assert.equal(node.getString('slapos', 'computer_id'), 'COMP-42');
  assert.equal(node.getInt('slapformat', 'partition_amount'), 4);
  assert.equal(readFileSync(node.getString('slapos', 'key_file'), 'utf8'), 'NODE KEY');
  assert.ok(statSync(node.getString('slapos', 'certificate_repository_path')).isDirectory());

  const byLogin = await runSlapos(['node', 'register', 'other', '--cfg', nodeCfg, '--master-url-web', webUrl, '--login', 'alice', '--password', 'secret']);
  assert.equal(byLogin.code, 0, byLogin.stderr);
  assert.ok(existsSync(join(dir, 'etc.old', 'slapos.cfg')), 'the former configuration is kept');
  const taken = await runSlapos(['node', 'register', 'taken', '--cfg', nodeCfg, '--master-url-web', webUrl, '--token', 'good-token']);
  assert.equal(taken.code, 1);
  assert.match(taken.stderr, /node name "taken" is already in use/);
});

test('cache lookup shows the binary cache entries of a software release', async (t) => {
  const dir = tempDir(t);
  const url = 'http://example.org/kvm/software.cfg';
  const md5 = createHash('md5').update(url).digest('hex');
  const entry = JSON.stringify({ software_url: url, software_root: '/opt/slapgrid', machine: 'x86_64', os: "('debian', '12', '')", sha512: 'a'.repeat(128) });
  // A shadir: GET <dir>/<key> answers the signed entries.
  const shadir = createServer((request, response) => {
    if (request.url === `/shadir/${md5}`) return void response.end(JSON.stringify([[entry, 'c2lnbmF0dXJl']]));
    response.statusCode = 404;
    response.end();
  });
  shadir.listen(0, '127.0.0.1');
  await once(shadir, 'listening');
  t.after(() => shadir.close());
  const cfg = join(dir, 'slapos.cfg');
  writeFileSync(cfg, `[slapos]\n[networkcache]\ndownload-binary-dir-url = http://127.0.0.1:${(shadir.address() as AddressInfo).port}/shadir\n`);

  const found = await runSlapos(['cache', 'lookup', url, '--cfg', cfg]);
  assert.equal(found.code, 0, found.stderr);
  assert.match(found.stdout, new RegExp(`MD5: +${md5}`));
  assert.match(found.stdout, /x86_64 +\('debian', '12', ''\) +\/opt\/slapgrid/);
  const json = await runSlapos(['cachelookup', 'binary-sr', md5, '--cfg', cfg, '--format', 'json']);
  assert.equal((JSON.parse(json.stdout) as { entries: { sha512: string }[] }).entries[0]!.sha512, 'a'.repeat(128));
  const missing = await runSlapos(['cache', 'lookup', 'http://example.org/other.cfg', '--cfg', cfg]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /not found in binary cache/);
  writeFileSync(cfg, '[slapos]\n');
  const unconfigured = await runSlapos(['cache', 'lookup', url, '--cfg', cfg]);
  assert.equal(unconfigured.code, 1);
  assert.match(unconfigured.stderr, /no download-binary-dir-url/);
});

test('console: one interactive session through a pseudo-terminal, with history', async (t) => {
  const dir = tempDir(t);
  const proxy = await startTestProxy();
  t.after(() => proxy.close());
  const cfg = writeClientConfig(dir, proxy.url, 'alias =\n  kvm http://example.org/kvm.cfg\n');
  const command = [...slaposArgv(), 'console', '--cfg', cfg].map((word) => `'${word.replaceAll("'", `'\\''`)}'`).join(' ');
  // script(1) runs the console on a pseudo-terminal, so node's REPL runs in terminal mode.
  const session = spawn('script', ['-qfec', command, '/dev/null'], { cwd: REPO_ROOT, env: { ...process.env, HOME: dir, TERM: 'dumb' } });
  let screen = '';
  const steps = [
    { after: 'slapos> ', type: 'await supply(kvm, "computer"); software_list.length + 40\n' },
    { after: '41', type: '.exit\n' },
  ];
  session.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    screen += chunk;
    if (steps.length > 0 && screen.includes(steps[0]!.after)) session.stdin.write(steps.shift()!.type);
  });
  const [code] = await once(session, 'close') as [number];
  assert.equal(code, 0, screen);
  assert.match(screen, /slapos console lets you talk to the SlapOS master/);
  assert.match(screen, /\r?\n41\r?\n/);
  assert.match(readFileSync(join(dir, '.slapconsolehistory'), 'utf8'), /await supply\(kvm, "computer"\)/);
});
