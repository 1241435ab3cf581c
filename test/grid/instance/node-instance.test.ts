import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startTestProxy, type TestProxy } from '../../helpers/proxy.ts';
import { REPO_ROOT, runSlapos, type CliResult } from '../../helpers/cli.ts';
import type { Slap } from '../../../src/slap/index.ts';
import { SupervisordClient } from '../../../src/grid/supervisord/index.ts';
import { formatTestComputer } from '../formatted-computer.ts';
import { assertExit } from '../../helpers/assert.ts';
import { freePort } from '../../helpers/net.ts';

/*
 * `slapos node instance` end to end: a real proxy, a real supervisord, real
 * services answering on loopback. The instance profile is run by a fake
 * buildout (test/fixtures/instance/fake-buildout.ts) standing for a software
 * release's bin/buildout: it keeps the whole contract (reads
 * [slap-connection], gets its parameters and publishes connection parameters
 * through the SLAP library, writes etc/service and etc/promise), so these
 * tests do not depend on a buildout engine.
 */

const COMPUTER = 'computer';
const PARTITIONS = ['slappart0', 'slappart1', 'slappart2', 'slappart3'];
// `${...}` and `]` in the URL must reach the profile intact and substitute nothing.
const SOFTWARE_URL = 'https://lab.example/software/fake]/software.cfg?v=${slap-connection:partition-id}';

/** Node arguments running a fixture the way the tests themselves run (sources through tsx, or compiled). */
function fixtureArgv(name: string): string[] {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return [join(here, '..', '..', '..', 'fixtures', 'instance', `${name}.js`)];
  const loader = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
  return ['--import', loader, join(REPO_ROOT, 'test', 'fixtures', 'instance', `${name}.ts`)];
}

interface Node {
  proxy: TestProxy;
  root: string;
  instanceRoot: string;
  cfg: string;
  slap: Slap;
  run(...args: string[]): Promise<CliResult>;
  request(reference: string, parameters: Record<string, string>, state?: 'started' | 'stopped', softwareRelease?: string): Promise<string>;
  connection(reference: string, parameters: Record<string, string>): Promise<Record<string, unknown>>;
  runs(partition: string): Promise<number>;
  close(): Promise<void>;
}

/** A formatted computer with four partitions and the fake software release installed. */
async function startNode(options: { certificateRepository?: boolean } = {}): Promise<Node> {
  const proxy = await startTestProxy({ computerId: COMPUTER });
  const root = await mkdtemp(join(tmpdir(), 'slapos-instance-'));
  // Partition users must reach their directories (when root, partitions belong to "nobody").
  await chmod(root, 0o755);
  const quote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;
  const certificates = options.certificateRepository ? `certificate_repository_path = ${join(root, 'certificates')}\n` : '';
  if (certificates) await mkdir(join(root, 'certificates'));
  const { instanceRoot, cfg, slap } = await formatTestComputer({
    root, masterUrl: proxy.url, computerId: COMPUTER, partitions: PARTITIONS, softwareUrl: SOFTWARE_URL, extraConfig: certificates,
    buildout: `#!/bin/sh\nexec ${[process.execPath, ...fixtureArgv('fake-buildout'), join(REPO_ROOT, 'test', 'fixtures', 'instance')].map(quote).join(' ')}\n`,
  });

  const node: Node = {
    proxy, root, instanceRoot, cfg, slap,
    run: (...args) => runSlapos(['node', 'instance', '--cfg', cfg, '--now', '--promise-timeout', '20', ...args]),
    async request(reference, parameters, state = 'started', softwareRelease = SOFTWARE_URL) {
      const partition = await slap.registerOpenOrder().request({ softwareRelease, partitionReference: reference, partitionParameterKw: parameters, state });
      return partition.getId();
    },
    async connection(reference, parameters) {
      const partition = await slap.registerOpenOrder().request({ softwareRelease: SOFTWARE_URL, partitionReference: reference, partitionParameterKw: parameters });
      return { ...partition.getConnectionParameterDict() };
    },
    async runs(partition) {
      const log = await readFile(join(instanceRoot, partition, 'buildout-runs.log'), 'utf8').catch(() => '');
      return log.split('\n').filter(Boolean).length;
    },
    async close() {
      await new SupervisordClient({ socketPath: join(instanceRoot, 'supervisord.socket') }).shutdown().catch(() => undefined);
      await slap.close();
      await proxy.close();
      await rm(root, { recursive: true, force: true });
    },
  };
  return node;
}

async function get(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/`);
  return response.text();
}

async function getOnceListening(port: number): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await get(port);
    } catch (error) {
      if (attempt >= 100) throw error;
      await sleep(100);
    }
  }
}

test('node instance: deploys, keeps running, stops and starts instances', async (t) => {
  const node = await startNode();
  t.after(() => node.close());
  const [port0, port1] = [await freePort(), await freePort()];
  const tricky = 'a ] b\n[evil]\nkey = ${x:y} $${buildout:directory} %(here)s';
  const first = await node.request('web0', { port: String(port0), message: 'hello from web0' });
  const second = await node.request('web1', { port: String(port1), message: tricky });

  assertExit(await node.run(), 0);
  assert.equal(await get(port0), 'hello from web0');
  assert.equal(await get(port1), tricky);

  // the parameter reached the profile intact, through the master only
  const parameters = JSON.parse(await readFile(join(node.instanceRoot, second, 'parameters.json'), 'utf8')) as Record<string, string>;
  assert.equal(parameters.message, tricky);
  const profile = await readFile(join(node.instanceRoot, second, 'buildout.cfg'), 'utf8');
  assert.doesNotMatch(profile, /evil|a \] b/);
  assert.match(profile, /\nsoftware-release-url = \S*\?v=\$\$\{slap-connection:partition-id\}\n/);
  assert.equal((await stat(join(node.instanceRoot, second, 'buildout.cfg'))).mode & 0o777, 0o640);
  const seen = JSON.parse(await readFile(join(node.instanceRoot, second, 'slap-connection.json'), 'utf8')) as Record<string, string>;
  assert.equal(seen['software-release-url'], SOFTWARE_URL);
  assert.equal(seen['partition-id'], second);
  assert.equal(seen['requested-state'], 'started');
  // connection parameters published by the instance reach the requester
  assert.deepEqual(await node.connection('web1', { port: String(port1), message: tricky }), { url: `http://127.0.0.1:${port1}/`, message: tricky });

  // nothing changed: nothing is touched
  const client = new SupervisordClient({ socketPath: join(node.instanceRoot, 'supervisord.socket') });
  const pidsBefore = (await client.getAllProcessInfo()).map((p) => `${p.group}:${p.pid}`).sort();
  assertExit(await node.run(), 0);
  assert.equal(await node.runs(first), 1);
  assert.equal(await node.runs(second), 1);
  assert.deepEqual((await client.getAllProcessInfo()).map((p) => `${p.group}:${p.pid}`).sort(), pidsBefore);

  // --only-cp with --force reprocesses only that partition; unknown ids are refused
  assertExit(await node.run('--only-cp', second, '--force'), 0);
  assert.equal(await node.runs(first), 1);
  assert.equal(await node.runs(second), 2);
  const unknown = await node.run('--only-cp', 'slappart9');
  assertExit(unknown, 1);
  assert.match(unknown.stderr, /Unknown partition\(s\): slappart9/);
  // --force alone reprocesses everything, services keep answering
  assertExit(await node.run('--force'), 0);
  assert.equal(await node.runs(first), 2);
  assert.equal(await get(port0), 'hello from web0');

  // stopped through the requested state, then started again
  await node.request('web0', { port: String(port0), message: 'hello from web0' }, 'stopped');
  assertExit(await node.run(), 0);
  await assert.rejects(get(port0));
  assert.equal(await get(port1), tricky);
  await node.request('web0', { port: String(port0), message: 'hello again' }, 'started');
  assertExit(await node.run(), 0);
  assert.equal(await get(port0), 'hello again');

  // supervisorctl pass-through
  const status = await runSlapos(['node', 'status', '--cfg', node.cfg]);
  assert.match(status.stdout, new RegExp(`${first}:web-on-watch\\s+RUNNING`));
  assert.match(status.stdout, new RegExp(`${second}:web-on-watch\\s+RUNNING`));
});

test('node instance: a failing partition is reported, the others still run', async (t) => {
  const node = await startNode({ certificateRepository: true });
  t.after(() => node.close());
  const [port0, port1] = [await freePort(), await freePort()];
  const good = await node.request('good', { port: String(port0), message: 'fine' });
  const badPromise = await node.request('bad-promise', { port: String(port1), message: 'x', promise: 'fail' });

  // only a promise failed: exit status 2, the failure named with its output
  let result = await node.run();
  assertExit(result, 2);
  assert.match(result.stderr, /Promise 'web-answers' failed with output: web is not answering as it should/);
  assert.equal(await get(port0), 'fine');
  await assert.rejects(stat(join(node.instanceRoot, badPromise, '.timestamp')));
  await stat(join(node.instanceRoot, good, '.timestamp'));
  const status = JSON.parse(await readFile(join(node.instanceRoot, badPromise, '.slapgrid', 'promise', 'result', 'web-answers.status.json'), 'utf8')) as { result: { failed: boolean } };
  assert.equal(status.result.failed, true);
  // partition certificates fetched from the master (empty from a proxy), named in [slap-connection]
  const keyFile = join(node.root, 'certificates', `${good}.key`);
  assert.equal((await stat(keyFile)).mode & 0o777, 0o400);
  const seen = JSON.parse(await readFile(join(node.instanceRoot, good, 'slap-connection.json'), 'utf8')) as Record<string, string>;
  assert.equal(seen['key-file'], keyFile);
  assert.equal(seen['cert-file'], join(node.root, 'certificates', `${good}.crt`));

  // a profile that fails and a software release that is not installed: exit 1, others untouched
  const badProfile = await node.request('bad-profile', { buildout: 'fail' });
  const missing = await node.request('missing-software', {}, 'started', 'https://lab.example/not-installed/software.cfg');
  result = await node.run();
  assertExit(result, 1);
  assert.match(result.stderr, /Failed to run buildout profile in directory[^]*the profile failed on purpose/);
  assert.match(result.stderr, /Software Release https:\/\/lab\.example\/not-installed\/software\.cfg is not present on system/);
  assert.match(result.stderr, new RegExp(`${badProfile}[^]*${missing}|${missing}[^]*${badProfile}`));
  assert.equal(await node.runs(good), 1);
  // the failed promise partition is retried on every run
  assert.equal(await node.runs(badPromise), 2);
  assert.equal(await get(port0), 'fine');

  // supervisord went down: the next run starts it and the up-to-date instance's services again
  const socketPath = join(node.instanceRoot, 'supervisord.socket');
  const daemon = Number(await readFile(join(node.instanceRoot, 'var', 'run', 'supervisord.pid'), 'utf8'));
  await new SupervisordClient({ socketPath }).shutdown();
  while (isAlive(daemon)) await sleep(50);
  await assert.rejects(get(port0));
  assertExit(await node.run('--only-cp', good), 0);
  // started without promises to wait for it: give the service its time to listen
  assert.equal(await getOnceListening(port0), 'fine');
  assert.equal(await node.runs(good), 1);

  // another run holds the instance root's lock: exit 10, nothing done
  await writeFile(join(node.instanceRoot, '.slapgrid-cp.pid'), String(process.pid));
  const locked = await node.run('--force');
  assertExit(locked, 10);
  assert.match(locked.stderr, new RegExp(`A slapgrid process is running with pid ${process.pid}`));
  assert.equal(await node.runs(good), 1);
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
