import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertExit } from '../../helpers/assert.ts';
import { COMPUTER, startPromiseNode, type PromiseNode } from '../promise/promise-node.ts';

/*
 * Plugin promises delegated to the software release's Python. CI has no
 * slapos.core, so the "software release" here has a stand-in
 * `slapos.grid.promise` package in its eggs (written below): its
 * PromiseLauncher keeps the contract slapgrid relies on (takes the config
 * dict, runs the plugin and legacy promises, raises PromiseError naming the
 * failed one) and records the config it was given. Its bin/buildout is a
 * real /usr/bin/python3 script (deploying nothing), so the launcher runs
 * under the real Python.
 */

const PYTHON = '/usr/bin/python3';

const STAND_IN_LAUNCHER = `
import json, os, subprocess, time

class PromiseError(Exception):
  pass

class PromiseLauncher(object):
  def __init__(self, config=None, logger=None):
    self.config = config
    self.logger = logger

  def run(self):
    partition = self.config['partition-folder']
    with open(os.path.join(partition, 'launcher-config.json'), 'w') as f:
      json.dump(self.config, f)
    failed = None
    for name in sorted(os.listdir(self.config['promise-folder'])):
      if not name.endswith('.py') or name.startswith('__init__'):
        continue
      with open(os.path.join(self.config['promise-folder'], name)) as f:
        behaviour = f.read().split("BEHAVIOUR = '")[1].split("'")[0]
      if behaviour == 'hang':
        child = subprocess.Popen(['sleep', '3600'])
        with open(os.path.join(partition, 'hanging-child.pid'), 'w') as f:
          f.write(str(child.pid))
        time.sleep(3600)
      if behaviour == 'crash':
        raise RuntimeError('the launcher itself broke')
      if behaviour == 'fail' and failed is None:
        failed = name
      self.logger.info('plugin promise %s: %s', name, behaviour)
    legacy = self.config['legacy-promise-folder']
    for name in sorted(os.listdir(legacy) if os.path.isdir(legacy) else []):
      if subprocess.call([os.path.join(legacy, name)]) != 0 and failed is None:
        failed = name
    if failed:
      raise PromiseError("Promise %r failed with output: port 8080 closed" % failed)
`;

/** The computer, with the stand-in slapos.core in the software release's eggs. */
async function startNode(buildoutShebang = `#!${PYTHON}`): Promise<PromiseNode & { eggs: string; deploy: typeof deploy }> {
  const node = await startPromiseNode(`${buildoutShebang}\n# deploys nothing: the test writes the promises\nimport sys\nsys.exit(0)\n`);
  const eggs = join(node.root, 'eggs');
  const promisePackage = join(eggs, 'slapos', 'grid', 'promise');
  await mkdir(promisePackage, { recursive: true, mode: 0o755 });
  for (const directory of [eggs, join(eggs, 'slapos'), join(eggs, 'slapos', 'grid'), promisePackage]) await chmod(directory, 0o755);
  await writeFile(join(eggs, 'slapos', '__init__.py'), '', { mode: 0o644 });
  await writeFile(join(eggs, 'slapos', 'grid', '__init__.py'), '', { mode: 0o644 });
  await writeFile(join(promisePackage, '__init__.py'), STAND_IN_LAUNCHER, { mode: 0o644 });
  return { ...node, eggs, deploy };

  /** Requests an instance and gives its partition the plugin promises (name → behaviour) and a legacy promise counting its runs. */
  async function deploy(reference: string, plugins: Record<string, 'pass' | 'fail' | 'hang' | 'crash'>): Promise<string> {
    const id = await node.request(reference);
    const path = join(node.instanceRoot, id);
    await mkdir(join(path, 'etc', 'plugin'), { recursive: true, mode: 0o755 });
    await mkdir(join(path, 'etc', 'promise'), { recursive: true, mode: 0o755 });
    for (const [name, behaviour] of Object.entries(plugins)) await writePlugin(path, name, behaviour);
    // A stale compiled promise whose source is gone: deleted before the run.
    await writeFile(join(path, 'etc', 'plugin', 'removed-promise.pyc'), 'stale', { mode: 0o644 });
    await writeFile(join(path, 'etc', 'promise', 'legacy'), '#!/bin/sh\necho run >> legacy-runs.log\n', { mode: 0o755 });
    return id;
  }

  async function writePlugin(path: string, name: string, behaviour: string): Promise<void> {
    await writeFile(join(path, 'etc', 'plugin', name), `import sys\nsys.path[0:0] = [\n  ${JSON.stringify(eggs)},\n]\nBEHAVIOUR = '${behaviour}'\n`, { mode: 0o644 });
  }
}

const legacyRuns = (node: PromiseNode, partition: string): Promise<number> => node.lines(partition, 'legacy-runs.log');

/** Running (a killed process whose new parent has not reaped it yet is a zombie, not alive). */
async function isRunning(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat !== undefined && !/^\d+ \(.*\) Z/.test(stat);
}

test('plugin promises: run by the launcher under the software release\'s Python; a failure fails only its partition', async (t) => {
  const node = await startNode();
  t.after(() => node.close());
  const good = await node.deploy('good', { 'check-port.py': 'pass', 'check-disk.py': 'pass' });
  const bad = await node.deploy('bad', { 'check-port.py': 'pass', 'check-url.py': 'fail' });
  const broken = await node.deploy('broken', { 'check-broken.py': 'crash' });

  const result = await node.run('instance');
  assertExit(result, 1);
  // the arguments reached the launcher, as the config dict of slapos.core's PromiseLauncher
  const path = join(node.instanceRoot, good);
  const config = JSON.parse(await readFile(join(path, 'launcher-config.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(config, {
    'promise-folder': join(path, 'etc', 'plugin'),
    'legacy-promise-folder': join(path, 'etc', 'promise'),
    'promise-timeout': 1,
    'partition-folder': path,
    'log-folder': join(path, '.slapgrid', 'promise', 'log'),
    'force': true,
    'check-anomaly': false,
    'master-url': node.proxy.url,
    'partition-cert': '',
    'partition-key': '',
    'partition-id': good,
    'computer-id': COMPUTER,
  });
  await assert.rejects(stat(join(path, 'etc', 'plugin', 'removed-promise.pyc')));
  // the launcher ran the legacy promise; slapgrid did not run it a second time
  assert.equal(await legacyRuns(node, good), 1);
  assert.equal(node.reported(good).state, 'started');
  await stat(join(path, '.timestamp'));
  // the launcher's log reached slapgrid's log
  assert.match(result.stderr, /plugin promise check-disk\.py: pass/);

  // a failed plugin promise: the partition is in error with the launcher's message, not deployed
  assert.match(result.stderr, /Promise 'check-url\.py' failed with output: port 8080 closed/);
  assert.deepEqual(node.reported(bad), { state: 'error', error: "Promise 'check-url.py' failed with output: port 8080 closed" });
  await assert.rejects(stat(join(node.instanceRoot, bad, '.timestamp')));
  // the launcher itself failing is a processing error of its own
  assert.equal(node.reported(broken).state, 'error');
  assert.match(node.reported(broken).error ?? '', /^The promise launcher \(\/usr\/bin\/python3\) failed \(exit status 1\): RuntimeError: the launcher itself broke/);
  assert.match(result.stderr, /GRID_ERR_PROMISE_LAUNCHER/);

  // only promises failing: exit status 2; the up-to-date partition gets the anomaly check
  await writeFile(join(node.instanceRoot, broken, 'etc', 'plugin', 'check-broken.py'), `import sys\nsys.path[0:0] = [${JSON.stringify(node.eggs)}]\nBEHAVIOUR = 'pass'\n`);
  assertExit(await node.run('instance'), 2);
  assert.equal(node.reported(broken).state, 'started');
  assert.equal(node.reported(bad).state, 'error');
  const anomaly = JSON.parse(await readFile(join(path, 'launcher-config.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(anomaly['check-anomaly'], true);
  assert.equal(anomaly.force, false);
  assert.equal(node.reported(good).state, 'started');
});

test('plugin promises: a hanging launcher is killed, with what it started, at its total time limit', async (t) => {
  const node = await startNode();
  t.after(() => node.close());
  const hanging = await node.deploy('hanging', { 'check-hang.py': 'hang' });
  const result = await node.run('instance');
  assertExit(result, 1);
  const { error } = node.reported(hanging);
  // one plugin and one legacy promise of 1 s each, plus 10 s
  assert.match(error ?? '', /did not finish within 12 seconds \(2 promise\(s\) × 1 s \+ 10 s\): the promise launcher was killed/);
  const child = Number(await readFile(join(node.instanceRoot, hanging, 'hanging-child.pid'), 'utf8'));
  assert.equal(await isRunning(child), false);
});

test('plugin promises: without a Python in bin/buildout, a warning says why and legacy promises still run', async (t) => {
  const node = await startNode('#!/bin/sh\nexit 0');
  t.after(() => node.close());
  const partition = await node.deploy('shell', { 'check-port.py': 'fail' });
  const result = await node.run('instance');
  assertExit(result, 0);
  assert.match(result.stderr, /Plugin promises not run: the shebang of \S+\/bin\/buildout names \/bin\/sh, not a Python/);
  assert.equal(await legacyRuns(node, partition), 1);
  await assert.rejects(stat(join(node.instanceRoot, partition, 'launcher-config.json')));
  assert.equal(node.reported(partition).state, 'started');
});
