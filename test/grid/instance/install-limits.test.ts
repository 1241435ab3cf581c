import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertExit } from '../../helpers/assert.ts';
import { RETENTION_DELAY_FILE } from '../../../src/grid/report/index.ts';
import { runningAsRoot } from '../formatted-computer.ts';
import { startPromiseNode, type PromiseNode } from '../promise/promise-node.ts';

/*
 * The limits of a partition's deployment (spec node.md §5.4): free space
 * before buildout, partition_timeout on the buildout run, and the retention
 * delay recorded after the first successful deployment. The software
 * release's bin/buildout is a shell script; a `hang` file in the partition
 * makes it start a background process and wait forever.
 */

const NOBODY = 65534;

/** A node whose partitions' buildout hangs (with a background process) while `<partition>/hang` exists. */
function startNode(extraConfig = ''): Promise<PromiseNode> {
  return startPromiseNode(`#!/bin/sh
echo run >> buildout-runs.log
if [ -e hang ]; then
  sleep 1000 &
  echo $! > hung.pid
  wait
fi
`, { extraConfig });
}

const runs = (node: PromiseNode, id: string): Promise<number> => node.lines(id, 'buildout-runs.log');

/** Whether the process runs (a zombie left to an init that does not reap does not). */
async function running(pid: number): Promise<boolean> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return text !== undefined && !/^\s*[ZX]/.test(text.slice(text.lastIndexOf(')') + 1));
}

test('node instance: a buildout past partition_timeout is killed with its processes, the partition fails, the others are deployed', async (t) => {
  const node = await startNode('partition_timeout = 3\n');
  t.after(() => node.close());
  const slow = await node.request('slow');
  const quick = await node.request('quick');
  await writeFile(join(node.instanceRoot, slow, 'hang'), '');

  const result = await node.run('instance');
  assertExit(result, 1);
  assert.match(result.stderr, new RegExp(`Buildout of partition ${slow} did not finish within partition_timeout \\(3 s\\)`));
  const hung = Number(await readFile(join(node.instanceRoot, slow, 'hung.pid'), 'utf8'));
  assert.equal(await running(hung), false, 'what the buildout started was killed with it');
  assert.match(node.reported(slow).error ?? '', new RegExp(`^Buildout of partition ${slow} did not finish within partition_timeout \\(3 s\\): killed`));
  await assert.rejects(stat(join(node.instanceRoot, slow, RETENTION_DELAY_FILE)), 'nothing recorded for a failed deployment');

  assert.equal(await runs(node, quick), 1);
  assert.equal(node.reported(quick).error, null);
  // deployed once: the retention delay (none asked) is recorded, owned by the partition user
  const delayFile = join(node.instanceRoot, quick, RETENTION_DELAY_FILE);
  assert.equal(await readFile(delayFile, 'utf8'), '0');
  if (runningAsRoot) assert.equal((await stat(delayFile)).uid, NOBODY);
  // and never rewritten by later deployments
  await writeFile(delayFile, '3');
  await rm(join(node.instanceRoot, slow, 'hang'));
  assertExit(await node.run('instance', '--force'), 0);
  assert.equal(await runs(node, quick), 2);
  assert.equal(await readFile(delayFile, 'utf8'), '3');
  assert.equal(await readFile(join(node.instanceRoot, slow, RETENTION_DELAY_FILE), 'utf8'), '0');
});

test('node instance: below instance_min_free_space no buildout runs and the partition reports why', async (t) => {
  const node = await startNode();
  t.after(() => node.close());
  const id = await node.request('cramped');
  const info = await statfs(node.instanceRoot);
  const moreThanThere = Math.ceil((info.bavail * info.bsize) / 2 ** 30) + 1024;
  const cfg = await readFile(node.cfg, 'utf8');
  await writeFile(node.cfg, cfg.replace('instance_min_free_space = 1M', `instance_min_free_space = ${moreThanThere}G`));

  const refused = await node.run('instance');
  assertExit(refused, 1);
  assert.equal(await runs(node, id), 0);
  const path = join(node.instanceRoot, id);
  assert.match(node.reported(id).error ?? '',
    new RegExp(`^Not enough space for ${path}: available [\\d.]+ [KMGT]?B, required [\\d.]+ [GT]B \\(option 'instance_min_free_space'\\)$`));

  await writeFile(node.cfg, cfg.replace('instance_min_free_space = 1M', 'instance_min_free_space = 1K'));
  assertExit(await node.run('instance'), 0);
  assert.equal(await runs(node, id), 1);
});
