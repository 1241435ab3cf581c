import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runningAsRoot, SOFTWARE_URL, startTestNode } from './node.ts';
import { assertExit } from '../../helpers/assert.ts';

/** Whether the process runs (a zombie left to an init that does not reap does not). */
async function running(pid: number): Promise<boolean> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return text !== undefined && !/^\s*[ZX]/.test(text.slice(text.lastIndexOf(')') + 1));
}

test('node report: a destroyed instance leaves an empty, free partition that is deployed fresh', async (t) => {
  const node = await startTestNode();
  t.after(() => node.close());
  const id = await node.request('doomed');
  assertExit(await node.slapos('node', 'instance', '--now'), 0);
  const path = join(node.instanceRoot, id);
  const before = await stat(path);
  const escaped = await node.escapedPid(id);
  assert.ok(await running(escaped), 'the service left a process outside its group');
  assert.ok((await node.client.getAllProcessInfo()).some((p) => p.group === id && p.statename === 'RUNNING'));

  // nothing to destroy: the partitions' usage is sent as one journal, a journal prepared for the computer as it is
  const computerReports = join(node.instanceRoot, 'var', 'xml_report', 'computer');
  await mkdir(computerReports, { recursive: true });
  await writeFile(join(computerReports, 'ready.xml'), '<journal><transaction type="Sale Packing List"><start_date/><stop_date/><reference>computer</reference>'
    + '<currency/><payment_mode/><arrow type="Administration"/><movement><resource>disk</resource><quantity>1</quantity><price>0</price><VAT/></movement></transaction></journal>');
  await writeFile(join(computerReports, 'broken.xml'), '<journal>');
  assertExit(await node.slapos('node', 'report', '--now'), 0);
  assert.equal(node.count('useComputer'), 2);
  assert.deepEqual(await readdir(join(path, 'var', 'xml_report')), []);
  assert.deepEqual(await readdir(computerReports), ['broken.xml']);
  assert.equal(node.count('destroyedComputerPartition'), 0);
  // no usage: the master is not called
  await writeFile(join(path, 'etc', 'report', 'usage'), '#!/bin/sh\nexit 0\n');
  assertExit(await node.slapos('node', 'report', '--now'), 0);
  assert.equal(node.count('useComputer'), 2);

  await node.request('doomed', 'destroyed');
  assertExit(await node.slapos('node', 'report', '--now'), 0);
  // the profile's uninstall ran, every file and process of the instance is gone, the directory stays as it was
  assert.equal(await readFile(join(node.shared, 'destroyed.log'), 'utf8'), `${id}\n`);
  assert.deepEqual(await readdir(path), []);
  const after = await stat(path);
  assert.deepEqual([after.mode, after.uid, after.gid], [before.mode, before.uid, before.gid]);
  assert.equal(await running(escaped), false, 'the escaped process was ended');
  assert.ok(!(await node.client.getAllProcessInfo()).some((p) => p.group === id));
  await assert.rejects(stat(join(node.instanceRoot, 'etc', 'supervisord.conf.d', `${id}.conf`)));
  // the master freed the partition
  assert.equal(node.count('destroyedComputerPartition'), 1);
  assert.deepEqual(await node.partitionState(id), { state: 'destroyed', software: undefined });

  // a free partition is left alone by later runs
  assertExit(await node.slapos('node', 'report', '--now'), 0);
  assert.equal(node.count('destroyedComputerPartition'), 1);

  // requested again, it starts clean
  const again = await node.request('reborn');
  assert.equal(again, id, 'the proxy gives the first free partition');
  assert.deepEqual(await node.partitionState(again), { state: 'started', software: SOFTWARE_URL });
  assertExit(await node.slapos('node', 'instance', '--now'), 0);
  assert.equal(await node.runs(again), 1);
  assert.ok((await node.client.getAllProcessInfo()).some((p) => p.group === again && p.statename === 'RUNNING'));
});

test('node report: files that cannot be removed and a master that is down are retried by the next run', { skip: !runningAsRoot && 'needs root (chattr +i)' }, async (t) => {
  const node = await startTestNode();
  t.after(() => node.close());
  const id = await node.request('stubborn');
  assertExit(await node.slapos('node', 'instance', '--now'), 0);
  const stuck = join(node.instanceRoot, id, 'stuck');
  await writeFile(stuck, 'cannot go');
  execFileSync('chattr', ['+i', stuck]);
  t.after(() => { try { execFileSync('chattr', ['-i', stuck], { stdio: 'ignore' }); } catch { /* removed */ } });
  await node.request('stubborn', 'destroyed');

  let result = await node.slapos('node', 'report', '--now');
  assertExit(result, 1);
  assert.match(result.stderr, new RegExp(`cannot empty ${join(node.instanceRoot, id)}, left:\\n.*stuck`));
  assert.equal(node.count('destroyedComputerPartition'), 0, 'not reported destroyed while not empty');
  assert.equal((await node.partitionState(id)).software, SOFTWARE_URL);
  assert.ok(node.count('softwareInstanceError') >= 1, 'the failure is reported to the master');

  // the master is down: the run fails with a clear message and touches nothing
  execFileSync('chattr', ['-i', stuck]);
  const cfg = await readFile(node.cfg, 'utf8');
  await writeFile(node.cfg, cfg.replace(node.proxy.url, 'http://127.0.0.1:9'));
  result = await node.slapos('node', 'report', '--now');
  assertExit(result, 1);
  assert.match(result.stderr, /cannot reach the master/);
  await stat(stuck);

  // the master is back: the next run completes the destruction
  await writeFile(node.cfg, cfg);
  assertExit(await node.slapos('node', 'report', '--now'), 0);
  assert.deepEqual(await readdir(join(node.instanceRoot, id)), []);
  assert.equal(node.count('destroyedComputerPartition'), 1);
  assert.equal((await node.partitionState(id)).software, undefined);
});
