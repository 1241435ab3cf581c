import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { assertExit } from '../../helpers/assert.ts';
import { anomalyReport } from '../../../src/grid/instance/index.ts';
import { BREAKABLE_PROMISE_BUILDOUT, startPromiseNode, type PromiseNode } from '../promise/promise-node.ts';

/*
 * The promise anomaly check of up-to-date started partitions (spec node.md
 * §5.5, §6.3). The software release's bin/buildout writes one legacy promise
 * that counts its runs and fails while `<partition>/broken` exists.
 */

test('anomaly report: what the master is told, from its access status and the check\'s result', () => {
  assert.equal(anomalyReport(undefined, false), 'started');
  assert.equal(anomalyReport(null, false), 'started');
  assert.equal(anomalyReport('#error promise failed', false), 'started');
  assert.equal(anomalyReport('#access instance up', false), 'nothing');
  assert.equal(anomalyReport(undefined, true), 'error');
  assert.equal(anomalyReport('#access instance up', true), 'error');
  assert.equal(anomalyReport('#error already known', true), 'nothing');
});

/** Lets time pass for the promise: its next run is due now (what two minutes of waiting would do). */
async function makeDue(node: PromiseNode, partition: string): Promise<void> {
  const file = join(node.instanceRoot, partition, '.slapgrid', 'promise', 'cache', 'check-service');
  const cache = JSON.parse(await readFile(file, 'utf8')) as { next_run_after: number };
  await writeFile(file, JSON.stringify({ ...cache, next_run_after: Date.now() / 1000 - 1 }));
}

test('anomaly check: an up-to-date partition\'s promises run when due; three failed runs in a row report an error, without failing the run', async (t) => {
  const node = await startPromiseNode(BREAKABLE_PROMISE_BUILDOUT);
  t.after(() => node.close());
  const partition = await node.request('service');
  assertExit(await node.run('instance'), 0);
  assert.equal(await node.lines(partition, 'promise-runs.log'), 1);
  assert.equal(node.reported(partition).state, 'started');

  // up to date, promise not due: not run, and the master (a proxy: no access
  // status) is not told `started` again, since this node already told it so
  await writeFile(join(node.instanceRoot, partition, 'broken'), '');
  const database = new Database(node.proxy.databasePath, { fileMustExist: true });
  t.after(() => database.close());
  database.prepare("UPDATE partition SET reported_state = 'not reported again' WHERE reference = ?").run(partition);
  let result = await node.run('instance');
  assertExit(result, 0);
  assert.match(result.stderr, /Partition already up-to-date, skipping/);
  assert.equal(await node.lines(partition, 'promise-runs.log'), 1);
  assert.equal(node.reported(partition).state, 'not reported again');

  // due: runs; the first two failures are not an anomaly yet
  for (const run of [2, 3]) {
    await makeDue(node, partition);
    assertExit(await node.run('instance'), 0);
    assert.equal(await node.lines(partition, 'promise-runs.log'), run);
    assert.equal(node.reported(partition).state, 'not reported again');
  }
  await makeDue(node, partition);
  result = await node.run('instance');
  assertExit(result, 0);
  assert.equal(await node.lines(partition, 'promise-runs.log'), 4);
  assert.deepEqual(node.reported(partition), { state: 'error', error: "Promise 'check-service' failed with output: service is down" });
  // the buildout did not run again: the partition stayed up to date
  assert.match(result.stderr, /Partition already up-to-date, skipping/);

  // repaired: the next due run reports started
  await rm(join(node.instanceRoot, partition, 'broken'));
  await makeDue(node, partition);
  assertExit(await node.run('instance'), 0);
  assert.equal(node.reported(partition).state, 'started');
});
