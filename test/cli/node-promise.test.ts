import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertExit } from '../helpers/assert.ts';
import { BREAKABLE_PROMISE_BUILDOUT, startPromiseNode } from '../grid/promise/promise-node.ts';

/*
 * `slapos node promise` (spec node.md §6.3) through the CLI. The software
 * release's bin/buildout writes one legacy promise that counts its runs and
 * fails while `<partition>/broken` exists.
 */

test('node promise: every started partition\'s promises, now; exit 2 when one failed; nothing reported', async (t) => {
  const node = await startPromiseNode(BREAKABLE_PROMISE_BUILDOUT);
  t.after(() => node.close());
  const good = await node.request('good');
  const bad = await node.request('bad');
  const stopped = await node.request('stopped', 'stopped');
  assertExit(await node.run('instance'), 0);
  assert.equal(await node.lines(stopped, 'promise-runs.log'), 0);

  await writeFile(join(node.instanceRoot, bad, 'broken'), '');
  let result = await node.run('promise');
  assertExit(result, 2);
  assert.match(result.stderr, new RegExp(`${bad}: Promise 'check-service' failed with output: service is down`));
  // test mode, forced: run although not due; stopped partitions are not checked
  assert.equal(await node.lines(good, 'promise-runs.log'), 2);
  assert.equal(await node.lines(bad, 'promise-runs.log'), 2);
  assert.equal(await node.lines(stopped, 'promise-runs.log'), 0);
  assert.equal(node.reported(bad).state, 'started');

  result = await node.run('promise', '--only-cp', good);
  assertExit(result, 0);
  assert.equal(await node.lines(good, 'promise-runs.log'), 3);
  assert.equal(await node.lines(bad, 'promise-runs.log'), 2);
  const unknown = await node.run('promise', '--only-cp', 'slappart9');
  assertExit(unknown, 1);
  assert.match(unknown.stderr, /Unknown partition\(s\): slappart9/);
});
