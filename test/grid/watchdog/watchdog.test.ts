import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '../../../src/log/index.ts';
import { BANG_MARKER_FILE } from '../../../src/grid/watchdog/index.ts';
import { callSupervisord, startPartitionGroup, type ProcessInfo } from '../../../src/grid/supervisord/index.ts';
import { startTestNode, type TestNode } from '../report/node.ts';
import { assertExit } from '../../helpers/assert.ts';

/*
 * The watchdog as supervisord runs it: `slapos node report` writes the
 * event listener into supervisord.conf, a real supervisord starts it, a
 * watched service is killed, and the bangs are counted on a real proxy.
 */

/** Waits (up to a generous bound, never asserting on time) until `check` holds. */
async function until(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  for (let waited = 0; waited < 60_000; waited += 100) {
    if (await check()) return;
    await sleep(100);
  }
  assert.fail(`gave up waiting: ${what}`);
}

async function killService(node: TestNode, partition: string): Promise<void> {
  const service = async (): Promise<ProcessInfo | undefined> => (await node.client.getAllProcessInfo()).find((p) => p.group === partition && p.name === 'daemon-on-watch');
  await until(`the service of ${partition} runs`, async () => (await service())?.statename === 'RUNNING');
  process.kill((await service())!.pid, 'SIGKILL');
  await until('the service exited', async () => (await node.client.getAllProcessInfo()).some((p) => p.group === partition && p.statename === 'EXITED'));
}

async function watchdogLog(node: TestNode): Promise<string> {
  const [text] = await callSupervisord(join(node.instanceRoot, 'supervisord.socket'), 'supervisor.tailProcessStderrLog', ['watchdog:watchdog', 0, 1 << 20], 10_000) as [string];
  return text;
}

test('watchdog: a service that dies bangs its partition once per deployment, and the partition is reprocessed', async (t) => {
  const node = await startTestNode();
  t.after(() => node.close());
  const id = await node.request('watched');
  assertExit(await node.slapos('node', 'instance', '--now'), 0);
  assertExit(await node.slapos('node', 'report', '--now'), 0);
  const conf = await readFile(join(node.instanceRoot, 'etc', 'supervisord.conf'), 'utf8');
  assert.match(conf, /\n\[eventlistener:watchdog\]\ncommand=\S+.* node watchdog --master-url \S+ --computer-id computer --instance-root-path \S+\nevents=PROCESS_STATE_EXITED, PROCESS_STATE_FATAL\n/);
  await until('the watchdog runs', async () => (await node.client.getAllProcessInfo()).some((p) => p.group === 'watchdog' && p.statename === 'RUNNING'));
  const timestampBefore = await readFile(join(node.instanceRoot, id, '.timestamp'), 'utf8');

  await killService(node, id);
  await until('the bang reached the master', () => node.count('softwareInstanceBang') === 1);
  await until('the bang is remembered', async () => (await readFile(join(node.instanceRoot, id, BANG_MARKER_FILE), 'utf8').catch(() => '')) === timestampBefore);

  // dying again before the next deployment: no second bang
  await startPartitionGroup(node.client, id, silentLogger());
  await killService(node, id);
  await until('the watchdog saw the second exit', async () => /already banged/.test(await watchdogLog(node)));
  assert.equal(node.count('softwareInstanceBang'), 1);

  // the bang made the master ask for reprocessing; the new deployment is watched again
  assertExit(await node.slapos('node', 'instance', '--now'), 0);
  assert.equal(await node.runs(id), 2);
  assert.notEqual(await readFile(join(node.instanceRoot, id, '.timestamp'), 'utf8'), timestampBefore);
  await killService(node, id);
  await until('the second deployment banged', () => node.count('softwareInstanceBang') === 2);
});

test('node bang: the computer bang reaches the master', async (t) => {
  const node = await startTestNode();
  t.after(() => node.close());
  const result = await node.slapos('node', 'bang', '-m', 'rebooted');
  assertExit(result, 0);
  assert.equal(result.stdout, `Banging to '${node.proxy.url}'\nBang with message 'rebooted'\n`);
  assert.equal(node.count('computerBang'), 1);
});
