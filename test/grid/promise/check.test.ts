import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../src/log/index.ts';
import { checkPromises, readPromiseCache, type PromiseCheckOptions, type PromiseStatus } from '../../../src/grid/promise/index.ts';

/*
 * The 1.x semantics of legacy promises: cache files, periodicity, anomaly
 * mode. Time is given through `now`, so "two minutes later" needs no wait.
 */

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** A partition with one legacy promise counting its runs; `broken` in the partition makes it fail. */
async function partition(): Promise<{ path: string; options: PromiseCheckOptions; runs(): Promise<number> }> {
  const path = await mkdtemp(join(tmpdir(), 'slapos-promise-check-'));
  const directory = join(path, 'etc', 'promise');
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, 'check-web'), '#!/bin/sh\necho run >> runs.log\nif [ -e broken ]; then echo "web is down" >&2; exit 1; fi\necho "web is up"\n', { mode: 0o755 });
  return {
    path,
    options: { promiseDirectory: directory, partitionPath: path, timeoutSeconds: 5, concurrency: 2, env: { PATH: '/usr/bin:/bin' }, logger: silentLogger() },
    runs: async () => (await readFile(join(path, 'runs.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean).length,
  };
}

async function status(path: string): Promise<PromiseStatus> {
  return JSON.parse(await readFile(join(path, '.slapgrid', 'promise', 'result', 'check-web.status.json'), 'utf8')) as PromiseStatus;
}

const failedWith = (message: RegExp) => (error: { code?: string; message: string }): boolean => error.code === 'GRID_ERR_PROMISE_FAILED' && message.test(error.message);

test('legacy promises: a run leaves its cache, log and result; not due again for two minutes unless forced', async (t) => {
  const { path, options, runs } = await partition();
  t.after(() => rm(path, { recursive: true, force: true }));
  await checkPromises({ ...options, now: () => T0 });
  const cache = await readPromiseCache(path, 'check-web');
  assert.deepEqual({ ...cache, module_file_mtime: 0 }, {
    is_tested: true, is_anomaly_detected: true, periodicity: 2, next_run_after: T0 / 1000 + 120, timestamp: T0 / 1000,
    module_file: join(options.promiseDirectory, 'check-web'), module_file_mtime: 0,
  });
  const log = await readFile(join(path, '.slapgrid', 'promise', 'log', 'check-web.log'), 'utf8');
  assert.match(log, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d - INFO - \d+-\d{3} - web is up\n$/);
  assert.equal((await status(path)).result.message, 'web is up');

  // not forced and not due: not run, the stored success stands even though it would now fail
  await writeFile(join(path, 'broken'), '');
  await checkPromises({ ...options, force: false, mode: 'anomaly', now: () => T0 + MINUTE });
  assert.equal(await runs(), 1);
  // forced: run now
  await assert.rejects(checkPromises({ ...options, now: () => T0 + MINUTE }), failedWith(/^Promise 'check-web' failed with output: web is down$/));
  assert.equal(await runs(), 2);
  // not due, but the stored result is a failure: it still counts
  await assert.rejects(checkPromises({ ...options, force: false, now: () => T0 + 2 * MINUTE }), failedWith(/web is down/));
  assert.equal(await runs(), 2);
  // due again
  await rm(join(path, 'broken'));
  await checkPromises({ ...options, force: false, now: () => T0 + 4 * MINUTE });
  assert.equal(await runs(), 3);
});

test('legacy promises: in anomaly mode, a promise fails only once its last three runs failed', async (t) => {
  const { path, options, runs } = await partition();
  t.after(() => rm(path, { recursive: true, force: true }));
  const anomaly = (minutes: number): Promise<unknown> => checkPromises({ ...options, mode: 'anomaly', force: false, now: () => T0 + minutes * MINUTE });
  await anomaly(0);
  await writeFile(join(path, 'broken'), '');
  await anomaly(3);
  await anomaly(6);
  assert.equal(await runs(), 3);
  let stored = await status(path);
  assert.equal(stored.result.type, 'Anomaly Result');
  assert.equal(stored.result.failed, false);
  assert.equal(stored.result.message, 'web is down');
  await assert.rejects(anomaly(9), failedWith(/^Promise 'check-web' failed with output: web is down$/));
  stored = await status(path);
  assert.equal(stored.result.failed, true);
  // one good run clears it
  await rm(join(path, 'broken'));
  await anomaly(12);
  assert.equal((await status(path)).result.failed, false);
  // test mode fails on the first failed run
  await writeFile(join(path, 'broken'), '');
  await assert.rejects(checkPromises({ ...options, now: () => T0 + 15 * MINUTE }), failedWith(/web is down/));
  assert.equal((await status(path)).result.type, 'Test Result');
});

test('legacy promises: a cache naming a file that is gone, or unreadable, is ignored', async (t) => {
  const { path, options, runs } = await partition();
  t.after(() => rm(path, { recursive: true, force: true }));
  const cacheFile = join(path, '.slapgrid', 'promise', 'cache', 'check-web');
  await mkdir(join(path, '.slapgrid', 'promise', 'cache'), { recursive: true });
  await writeFile(cacheFile, JSON.stringify({ next_run_after: T0 / 1000 + 3600, module_file: join(path, 'gone') }));
  await checkPromises({ ...options, force: false, now: () => T0 });
  assert.equal(await runs(), 1);
  await writeFile(cacheFile, '{not json');
  await checkPromises({ ...options, force: false, now: () => T0 });
  assert.equal(await runs(), 2);
});
