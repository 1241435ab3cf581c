import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { createBuildoutRunner } from '../../../src/buildout/runner/index.ts';
import { BuildoutInstall, lookupUser, runChild, type PartitionContext } from '../../../src/grid/index.ts';
import { RETENTION_DATE_FILE, RETENTION_DELAY_FILE } from '../../../src/grid/report/index.ts';
import { silentLogger } from '../../../src/log/index.ts';
import { assertExit } from '../../helpers/assert.ts';
import { COMPUTER, SOFTWARE_URL, startTestNode, type TestNode } from './node.ts';

const DAY = 86400;

/**
 * Deploys the partition as `slapos node instance` does, with the filter
 * (SLA) dict a SlapOS master sends along with the partition; the proxy keeps
 * no SLA, so the dict is added to the partition the proxy described.
 */
async function deployWithFilter(node: TestNode, id: string, filter: Record<string, string>): Promise<void> {
  const partition = (await node.slap.registerComputer(COMPUTER).getComputerPartitionList()).find((p) => p.getId() === id);
  assert.ok(partition, `no partition ${id}`);
  partition.attributes._filter_dict = filter;
  const path = join(node.instanceRoot, id);
  const info = await stat(path);
  const user = await lookupUser(info.uid);
  const context: PartitionContext = {
    id, path, partition,
    requestedState: 'started',
    softwareReleaseUrl: SOFTWARE_URL,
    softwarePath: join(node.root, 'software', createHash('md5').update(SOFTWARE_URL).digest('hex')),
    masterTimestamp: undefined,
    account: { uid: info.uid, gid: info.gid, name: user.name, home: user.home },
    logger: silentLogger(),
  };
  const install = new BuildoutInstall({
    computerId: COMPUTER, masterUrl: node.proxy.url, instanceRoot: node.instanceRoot, runner: createBuildoutRunner({}, runChild), baseEnv: process.env,
  });
  await install.install(context);
}

test('an instance deployed with a retention_delay keeps that delay, and node report waits for it before destroying', async (t) => {
  const node = await startTestNode();
  t.after(() => node.close());
  const id = await node.request('precious');
  await deployWithFilter(node, id, { retention_delay: '2' });
  const path = join(node.instanceRoot, id);
  assert.equal(await readFile(join(path, RETENTION_DELAY_FILE), 'utf8'), '2');
  // a later deployment asking for another delay does not change the one the instance was deployed with
  await deployWithFilter(node, id, { retention_delay: '0' });
  assert.equal(await readFile(join(path, RETENTION_DELAY_FILE), 'utf8'), '2');

  await node.request('precious', 'destroyed');
  const before = Math.floor(Date.now() / 1000);
  assertExit(await node.slapos('node', 'report', '--now'), 0);
  const deadline = Number(await readFile(join(path, RETENTION_DATE_FILE), 'utf8'));
  assert.ok(deadline >= before + 2 * DAY && deadline <= Math.ceil(Date.now() / 1000) + 2 * DAY, `deadline ${deadline} is two days from now`);
  assert.equal(await node.runs(id), 2, 'the instance is still there');
  await assert.rejects(readFile(join(node.shared, 'destroyed.log'), 'utf8'), 'its uninstall script did not run');
  assert.equal(node.count('destroyedComputerPartition'), 0, 'the master was not told it is destroyed');
});

test('an instance deployed with an unusable retention_delay records none, and node report destroys it at once', async (t) => {
  const node = await startTestNode();
  t.after(() => node.close());
  const id = await node.request('ordinary');
  await deployWithFilter(node, id, { retention_delay: 'a week' });
  assert.equal(await readFile(join(node.instanceRoot, id, RETENTION_DELAY_FILE), 'utf8'), '0');
  await node.request('ordinary', 'destroyed');
  assertExit(await node.slapos('node', 'report', '--now'), 0);
  assert.equal(await readFile(join(node.shared, 'destroyed.log'), 'utf8'), `${id}\n`);
  assert.equal(node.count('destroyedComputerPartition'), 1);
});
