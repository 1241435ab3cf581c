import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { runSlapos, type CliResult } from '../helpers/cli.ts';
import { startTestProxy, type TestProxy } from '../helpers/proxy.ts';
import { formatComputer, writeClientConfig } from './helpers.ts';

const KVM = 'http://example.org/kvm/software.cfg?rev=1&x=<y>';

/** A failure the user can fix: exit 1, one line on stderr naming the problem (ours, or commander's usage error). */
function assertOneLineFailure(result: CliResult, pattern: RegExp): void {
  assert.equal(result.code, 1, result.stderr);
  const lines = result.stderr.trim().split('\n').filter((line) => line.startsWith('slapos: ') || line.startsWith('error: '));
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, pattern);
}

async function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('client commands against a real proxy', () => {
  let proxy: TestProxy;
  let dir: string;
  let cfg: string;
  const slapos = (...args: string[]) => runSlapos([...args, '--cfg', cfg]);
  // The console passes everything after its script on to the script, so --cfg goes first.
  const slaposConsole = (...args: string[]) => runSlapos(['console', '--cfg', cfg, ...args]);

  before(async () => {
    proxy = await startTestProxy();
    await formatComputer(proxy.url, 'computer', 2);
    dir = await mkdtemp(join(tmpdir(), 'slapos-client-cli-'));
    cfg = writeClientConfig(dir, proxy.url, `alias =\n  kvm ${KVM}\n`);
  });
  after(async () => {
    await proxy.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('supply, request, list, info, computer info, remove', async () => {
    const supply = await slapos('supply', 'kvm', 'computer');
    assert.equal(supply.code, 0, supply.stderr);
    assert.equal(supply.stdout, 'Done.\n');

    const request = await slapos('request', 'first', 'kvm', '--parameters', 'ram=2048', 'url=http://a/?b=c', '--node', 'computer_guid=computer');
    assert.equal(request.code, 0, request.stderr);
    assert.match(request.stdout, /^Instance requested\.\nState is : started\.\nConnection parameters of instance are:\n\{\}\n/);
    assert.match(request.stderr, /Requesting first as an instance of http:\/\/example\.org/);

    const json = await slapos('request', 'first', KVM, '--state', 'stopped', '--parameters', 'ram=4096', '--format', 'json');
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), {
      ready: true, reference: 'first', 'software-url': KVM, state: 'stopped', 'connection-parameters': {},
    });

    const list = await slapos('list', '--format', 'json');
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout), { first: KVM });
    assert.equal((await slapos('service', 'list')).stdout, `first ${KVM}\n`);

    const info = await slapos('service', 'info', 'first', '--format', 'json');
    assert.equal(info.code, 0, info.stderr);
    const parsed = JSON.parse(info.stdout) as Record<string, unknown>;
    assert.equal(parsed['software-url'], KVM);
    assert.equal(parsed['requested-state'], 'stopped');
    assert.deepEqual(parsed['instance-parameters'], { ram: '4096' });

    const missing = await slapos('info', 'nobody');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /instance "nobody" does not exist/);

    const computer = await slapos('computer', 'info', 'computer', '--format', 'json');
    assert.equal(computer.code, 0, computer.stderr);
    assert.deepEqual(JSON.parse(computer.stdout), {
      reference: 'computer',
      partitions: [{ partition: 'slappart0', 'requested-state': 'stopped', title: 'first' }, { partition: 'slappart1', 'requested-state': 'destroyed', title: null }],
      'software-releases': [{ url: KVM, 'requested-state': 'available' }],
    });
    assert.equal((await slapos('computer', 'info', 'COMP-unknown')).code, 2);

    const remove = await slapos('remove', 'kvm', 'computer');
    assert.equal(remove.code, 0, remove.stderr);
    const after = JSON.parse((await slapos('computer', 'info', 'computer', '--format', 'json')).stdout) as { 'software-releases': unknown[] };
    assert.deepEqual(after['software-releases'], [{ url: KVM, 'requested-state': 'destroyed' }]);
  });

  // Each kind of bad input once through the command (the parsers' unit tests cover the variants).
  it('refuses bad input with one line and exit 1, and requests nothing', async () => {
    const params = join(dir, 'params.json');
    writeFileSync(params, '{"ram": ');
    assertOneLineFailure(await slapos('request', 'bad', 'kmv'), /software release "kmv": unknown alias \(known aliases: kvm\)/);
    assertOneLineFailure(await slapos('request', 'bad', 'http//example.org/x.cfg'), /not a URL/);
    assertOneLineFailure(await slapos('request', 'bad', 'kvm', '--node', 'computer_guid'), /--node: expected KEY=VALUE, got "computer_guid"/);
    assertOneLineFailure(await slapos('request', 'bad', 'kvm', '--parameters-file', params), /params\.json is not JSON/);
    assertOneLineFailure(await slapos('request', 'bad', 'kvm', '--parameters', 'a=1', '--parameters-file', params), /cannot be used together/);
    assertOneLineFailure(await slapos('supply', 'not a url', 'computer'), /not a URL/);
    assertOneLineFailure(await runSlapos(['list', '--cfg', join(dir, 'none.cfg')]), /configuration file does not exist: .*none\.cfg/);
    const list = await slapos('list', '--format', 'json');
    assert.deepEqual(Object.keys(JSON.parse(list.stdout) as object).filter((title) => title === 'bad'), []);
  });

  it('console: -c CODE and a script file, with await and the aliases as globals', async () => {
    const code = await slaposConsole('-c', 'const p = await request(kvm, "from-console", { a: "1" }); console.log(JSON.stringify([software_list, p.getState(), argv]))', 'x');
    assert.equal(code.code, 0, code.stderr);
    assert.deepEqual(JSON.parse(code.stdout), [['kvm'], 'started', ['-c', 'x']]);
    const script = join(dir, 'script.js');
    writeFileSync(script, 'await supply(aliases.kvm, "computer");\nconsole.log(argv.slice(1).join(","));\n');
    const run = await slaposConsole(script, 'a', '--b');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'a,--b\n');
    assertOneLineFailure(await slaposConsole('-c', 'throw new Error("boom")'), /boom/);
    assertOneLineFailure(await slaposConsole(join(dir, 'missing.js')), /cannot read console script/);
  });

  it('console: a prompt fed from a pipe evaluates each line', async () => {
    const result = await runSlapos(['console', '--cfg', cfg], { input: 'software_list.length + 40\n', env: { HOME: dir } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /slapos> 41\n/);
  });
});

describe('masters that do not answer, or not yet', () => {
  const servers: { close(): unknown }[] = [];
  const sockets: Socket[] = [];
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'slapos-client-cli-')); });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    for (const server of servers) server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a master that accepts but never answers: time-out message naming the URL', async () => {
    const silent = createTcpServer((socket) => sockets.push(socket));
    servers.push(silent);
    const url = await listen(silent);
    const cfg = writeClientConfig(dir, url);
    assertOneLineFailure(await runSlapos(['request', 'a', 'http://example.org/a.cfg', '--cfg', cfg, '--timeout', '0.5']),
      new RegExp(`master ${url}/? does not answer`));
  });

  it('a master nobody listens on: connection refused, naming the URL', async () => {
    const closed = createTcpServer();
    const url = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const cfg = writeClientConfig(dir, url);
    assertOneLineFailure(await runSlapos(['supply', 'http://example.org/a.cfg', 'COMP-1', '--cfg', cfg]), new RegExp(`master ${url}/? does not answer`));
  });

  it('a master still provisioning (408): exit 2 with a retry hint', async () => {
    // Our proxy allocates at once; a master that has to provision answers 408, so this one does.
    const provisioning = createServer((request, response) => {
      request.resume();
      request.on('end', () => { response.statusCode = 408; response.end(); });
    });
    servers.push(provisioning);
    const cfg = writeClientConfig(dir, await listen(provisioning));
    const result = await runSlapos(['request', 'later', 'http://example.org/a.cfg', '--cfg', cfg, '--format', 'json']);
    assert.equal(result.code, 2, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { ready: false, reference: 'later', 'software-url': 'http://example.org/a.cfg' });
    assert.match(result.stderr, /Master is provisioning it\. Please rerun in a couple of minutes/);
  });
});
