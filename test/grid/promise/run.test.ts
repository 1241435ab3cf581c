import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../src/log/index.ts';
import { checkPromises, listPromises, runPromiseList, type PromiseRunOptions, type PromiseStatus } from '../../../src/grid/promise/index.ts';

async function partitionWith(promises: Record<string, { script: string; mode?: number }>): Promise<{ path: string; options: PromiseRunOptions }> {
  const path = await mkdtemp(join(tmpdir(), 'slapos-promise-'));
  const directory = join(path, 'etc', 'promise');
  await mkdir(directory, { recursive: true });
  for (const [name, { script, mode }] of Object.entries(promises)) {
    await writeFile(join(directory, name), `#!/bin/sh\n${script}\n`, { mode: mode ?? 0o755 });
  }
  return {
    path,
    options: { promiseDirectory: directory, partitionPath: path, timeoutSeconds: 1, concurrency: 4, env: { PATH: '/usr/bin:/bin' }, logger: silentLogger() },
  };
}

test('promises: each runs in the partition, failures keep their output, non-executables are skipped', async (t) => {
  const { path, options } = await partitionWith({
    'a-ok': { script: 'pwd' },
    'b-fails': { script: 'echo "port 8080 closed" >&2; exit 3' },
    'c-notes.txt': { script: 'exit 1', mode: 0o644 },
  });
  t.after(() => rm(path, { recursive: true, force: true }));
  const results = await runPromiseList(await listPromises(options.promiseDirectory, options.logger), options);
  assert.deepEqual(results.map((r) => [r.name, r.ok]), [['a-ok', true], ['b-fails', false]]);
  assert.equal(results[0]!.output.trim(), path);
  assert.equal(results[1]!.exitCode, 3);
  await assert.rejects(checkPromises(options), (error: { code?: string; message: string; failed?: string[] }) =>
    error.code === 'GRID_ERR_PROMISE_FAILED' && error.message === "Promise 'b-fails' failed with output: port 8080 closed"
    && error.failed?.join() === 'b-fails');
  // the status files of the original's launcher, for monitoring tools
  const status = JSON.parse(await readFile(join(path, '.slapgrid', 'promise', 'result', 'b-fails.status.json'), 'utf8')) as PromiseStatus;
  assert.equal(status.title, 'b-fails');
  assert.equal(status.path, join(path, 'etc', 'promise', 'b-fails'));
  assert.equal(status.result.failed, true);
  assert.equal(status.result.type, 'Test Result');
  assert.equal(status.result.message, 'port 8080 closed');
  assert.match(status.result.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
  const passed = JSON.parse(await readFile(join(path, '.slapgrid', 'promise', 'result', 'a-ok.status.json'), 'utf8')) as PromiseStatus;
  assert.equal(passed.result.failed, false);
});

test('promises: a hanging promise is killed at its timeout with what it started', async (t) => {
  const { path, options } = await partitionWith({
    hang: { script: 'sleep 300 & echo started; wait' },
    quick: { script: 'exit 0' },
  });
  t.after(() => rm(path, { recursive: true, force: true }));
  const results = await runPromiseList(await listPromises(options.promiseDirectory, options.logger), options);
  const hang = results.find((r) => r.name === 'hang')!;
  assert.equal(hang.timedOut, true);
  assert.equal(hang.ok, false);
  assert.match(hang.output, /started/);
  assert.equal(results.find((r) => r.name === 'quick')!.ok, true);
  await assert.rejects(checkPromises(options), /Promise 'hang' failed with output: Error: Promise timed out after 1 seconds/);
});

test('promises: no promise directory means nothing to check', async () => {
  const results = await checkPromises({ promiseDirectory: join(tmpdir(), 'no-such-dir-slapos'), partitionPath: tmpdir(), timeoutSeconds: 1, concurrency: 1, env: {}, logger: silentLogger() });
  assert.deepEqual(results, []);
});

test('promises: bad options are refused', async () => {
  await assert.rejects(checkPromises({ promiseDirectory: tmpdir(), partitionPath: tmpdir(), timeoutSeconds: 0, concurrency: 1, env: {}, logger: silentLogger() }), /timeoutSeconds/);
});
