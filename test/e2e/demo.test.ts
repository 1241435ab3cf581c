// The demo's flow (scripts/demo.sh) as a test, with the real parts: the CLI
// as subprocesses, a proxy on a free loopback port, the built-in buildout
// engine, a real supervisord, the hello example's services answering HTTP.
// On top of the demo, an instance tree: a "tree" instance requests a child
// instance through slapos.cookbook:request and publishes the child's URL.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, runSlapos, slaposArgv, type CliResult } from '../helpers/cli.ts';

const EXAMPLE = join(REPO_ROOT, 'examples', 'hello');
const SOFTWARE = join(EXAMPLE, 'software.cfg');
const RUNNING_AS_ROOT = process.getuid?.() === 0;
const NOBODY = 65534;
/** Passes of `node instance` allowed for the tree: parent fails until the child has published. */
const MAX_INSTANCE_PASSES = 8;

/** A port nothing listens on right now on 127.0.0.1. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}

function expectSuccess(result: CliResult, what: string): void {
  assert.equal(result.code, 0, `${what} failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
}

/** The body of a 200 answer of `url`, or undefined when it does not answer (yet). */
async function answerOf(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    const body = await response.text();
    return response.status === 200 ? body : undefined;
  } catch {
    return undefined;
  }
}

/** The part of a `slapos proxy show --format json` partition this test reads. */
interface ShownPartition {
  reference: string;
  title: string | null;
  requestedBy: string;
  softwareType: string | null;
  reportedState: string | null;
  connectionParameters: Record<string, string>;
}

describe('the demo: a local node deploys the hello example, and an instance tree', { timeout: 240_000 }, () => {
  let base: string;
  let cfg: string;
  let servicePort: number;
  let proxy: ChildProcess | undefined;
  let proxyOutput = '';
  let lastInstanceRun: CliResult | undefined;

  const slapos = (...args: string[]): Promise<CliResult> => runSlapos(args, { timeoutMs: 120_000 });

  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'slapos-demo-'));
    // when this test is root, builds and services run as "nobody", who must get in
    await chmod(base, 0o755);
    const proxyPort = await freePort();
    servicePort = await freePort();
    // a loopback network of its own, so that parallel runs do not collide
    const network = `127.${20 + Math.floor(Math.random() * 230)}.0.0/16`;
    expectSuccess(await slapos('configure', 'local', '--base-directory', base, '--no-link-client-config',
      '--daemon-listen-port', String(proxyPort), '--partition-number', '3', '--ipv4-local-network', network), 'configure local');
    cfg = join(base, 'etc', 'opt', 'slapos', 'slapos.cfg');
    const masterUrl = `http://127.0.0.1:${proxyPort}`;

    const [command, ...prefix] = slaposArgv();
    proxy = spawn(command!, [...prefix, 'proxy', 'start', '--cfg', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
    proxy.stdout!.setEncoding('utf8').on('data', (chunk: string) => { proxyOutput += chunk; });
    proxy.stderr!.setEncoding('utf8').on('data', (chunk: string) => { proxyOutput += chunk; });
    const exited = new Promise<void>((resolve) => proxy!.once('close', () => resolve()));
    let answering = false;
    for (let attempt = 0; attempt < 200 && !answering && proxy.exitCode === null; attempt++) {
      answering = await fetch(masterUrl).then(() => true, () => false);
      if (!answering) await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 100))]);
    }
    if (!answering && proxy.exitCode !== null) await exited;
    assert.ok(answering, `the proxy does not answer on ${masterUrl} (exit ${proxy.exitCode}):\n${proxyOutput}`);
  });

  after(async () => {
    if (cfg !== undefined && existsSync(join(base, 'srv', 'slapgrid', 'var', 'run', 'supervisord.pid'))) {
      await slapos('node', 'supervisorctl', '--cfg', cfg, 'shutdown');
    }
    if (proxy !== undefined && proxy.exitCode === null) {
      const exited = new Promise((resolve) => proxy!.once('exit', resolve));
      proxy.kill('SIGTERM');
      await exited;
    }
    if (base !== undefined) await rm(base, { recursive: true, force: true });
  });

  const partitions = async (): Promise<ShownPartition[]> => {
    const shown = await slapos('proxy', 'show', '--cfg', cfg, '--format', 'json');
    expectSuccess(shown, 'proxy show');
    try {
      return (JSON.parse(shown.stdout) as { partitions: ShownPartition[] }).partitions;
    } catch (error) {
      assert.fail(`proxy show --format json printed no JSON (${String(error)}):\n${shown.stdout}\n${shown.stderr}`);
    }
  };
  const byTitle = (all: ShownPartition[], title: string): ShownPartition | undefined => all.find((p) => p.title === title);

  it('formats the node, installs the example and requests two instances', async () => {
    expectSuccess(await slapos('node', 'format', '--cfg', cfg, '--now'), 'node format');
    if (RUNNING_AS_ROOT) {
      // slapgrid never drops privileges to root. scripts/demo.sh lets
      // slapformat create users (alter_user); a test must not change the
      // machine's users (a running demo uses them), so "nobody" owns all.
      const owned = [join(base, 'opt', 'slapgrid'), ...['slappart0', 'slappart1', 'slappart2'].map((id) => join(base, 'srv', 'slapgrid', id))];
      for (const path of owned) await chown(path, NOBODY, NOBODY);
    }
    expectSuccess(await slapos('supply', SOFTWARE, 'local_computer', '--cfg', cfg), 'supply');
    expectSuccess(await slapos('node', 'software', '--cfg', cfg, '--now'), 'node software');
    const hash = createHash('md5').update(SOFTWARE).digest('hex');
    const installed = await readdir(join(base, 'opt', 'slapgrid', hash));
    assert.ok(installed.includes('instance.cfg'), `instance.cfg not built, software directory holds: ${installed.join(' ')}`);

    const port = `port=${servicePort}`;
    expectSuccess(await slapos('request', 'hello', SOFTWARE, '--cfg', cfg, '--parameters', port), 'request hello');
    expectSuccess(await slapos('request', 'tree', SOFTWARE, '--type', 'tree', '--cfg', cfg, '--parameters', port), 'request tree');
  });

  it('deploys them with node instance: the tree publishes its child\'s URL, every service answers', async () => {
    let shown: ShownPartition[] = [];
    const deployed = (): boolean => {
      const hello = byTitle(shown, 'hello');
      const tree = byTitle(shown, 'tree');
      const child = byTitle(shown, 'tree child');
      return Boolean(hello?.connectionParameters.url && tree?.connectionParameters.url
        && tree.connectionParameters['child-url'] && child?.connectionParameters.url);
    };
    for (let pass = 0; pass < MAX_INSTANCE_PASSES && !deployed(); pass++) {
      lastInstanceRun = await slapos('node', 'instance', '--cfg', cfg, '--now');
      shown = await partitions();
    }
    assert.ok(deployed(), `not deployed after ${MAX_INSTANCE_PASSES} passes; last node instance:\n${lastInstanceRun?.stdout}\n${lastInstanceRun?.stderr}\n${JSON.stringify(shown, null, 1)}`);

    const hello = byTitle(shown, 'hello')!;
    const tree = byTitle(shown, 'tree')!;
    const child = byTitle(shown, 'tree child')!;
    assert.equal(tree.softwareType, 'tree');
    assert.equal(child.softwareType, 'default');
    // the proxy records the title of the requester's root instance
    assert.equal(child.requestedBy, 'tree', 'the child belongs to the tree');
    assert.equal(hello.requestedBy, '');
    assert.equal(tree.connectionParameters['child-url'], child.connectionParameters.url);
    assert.equal(new Set([hello.reference, tree.reference, child.reference]).size, 3);
    assert.deepEqual([hello, tree, child].map((p) => p.reportedState), ['started', 'started', 'started']);

    // the last pass may have ended before a service listened: its promise
    // then failed, and one more pass checks it again
    let answers = await Promise.all([hello, tree, child].map((p) => answerOf(p.connectionParameters.url!)));
    if (answers.includes(undefined)) {
      lastInstanceRun = await slapos('node', 'instance', '--cfg', cfg, '--now');
      answers = await Promise.all([hello, tree, child].map((p) => answerOf(p.connectionParameters.url!)));
    }
    assert.match(answers[0] ?? '', /^Hello, from hello \(served by slapos\.ts on /);
    assert.match(answers[1] ?? '', /^Hello, from tree \(/);
    assert.match(answers[2] ?? '', /^Hello from a child instance, from tree child \(/);
  });

  it('has nothing left to do on the next pass, and reports the services running', async () => {
    const run = await slapos('node', 'instance', '--cfg', cfg, '--now');
    expectSuccess(run, 'node instance (nothing to do)');
    const status = await slapos('node', 'status', '--cfg', cfg);
    const running = status.stdout.split('\n').filter((line) => /hello.*RUNNING/.test(line));
    assert.equal(running.length, 3, `three hello services should run:\n${status.stdout}${status.stderr}`);
  });
});

describe('the hello example software release', () => {
  it('has the right md5sum for every file it downloads', async () => {
    const profile = await readFile(SOFTWARE, 'utf8');
    const sections = profile.split(/^\[/m).slice(1);
    let checked = 0;
    for (const section of sections) {
      const file = /^url = \$\{:_profile_base_location_\}\/(\S+)$/m.exec(section)?.[1];
      const md5sum = /^md5sum = (\S+)$/m.exec(section)?.[1];
      if (file === undefined) continue;
      const actual = createHash('md5').update(await readFile(join(EXAMPLE, file))).digest('hex');
      assert.equal(md5sum, actual, `examples/hello/software.cfg: md5sum of ${file}`);
      checked++;
    }
    assert.ok(checked >= 5, `only ${checked} downloaded files found in software.cfg`);
  });
});
