import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChild } from '../../../src/grid/index.ts';
import { ExternalBuildoutRunner } from '../../../src/buildout/runner/index.ts';
import { silentLogger } from '../../../src/log/index.ts';

const ENV = { PATH: '/usr/bin:/bin' };

/** Whether the process runs (a zombie left to an init that does not reap does not). */
async function running(pid: number): Promise<boolean> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return text !== undefined && !/^\s*[ZX]/.test(text.slice(text.lastIndexOf(')') + 1));
}

/** A shell script that starts a background process of its own group, prints its pid, then waits forever. */
const LINGERING = 'sleep 1000 & echo "started $!"; wait';

function backgroundPid(output: string): number {
  const match = /started (\d+)/.exec(output);
  assert.ok(match, `no pid in ${JSON.stringify(output)}`);
  return Number(match[1]);
}

test('runChild: past timeoutSeconds the whole process group is killed and the result says so', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'slapos-test-timeout-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const result = await runChild({ command: '/bin/sh', args: ['-c', LINGERING], cwd: dir, env: ENV, timeoutSeconds: 2 });
  assert.equal(result.timedOut, true);
  assert.equal(result.ok, false);
  assert.equal(result.signal, 'SIGKILL');
  assert.equal(await running(backgroundPid(result.outputTail)), false, 'the process it started in the background was killed too');
});

test('runChild: a child finishing within its time limit is not affected by it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'slapos-test-timeout-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const result = await runChild({ command: '/bin/sh', args: ['-c', 'echo done'], cwd: dir, env: ENV, timeoutSeconds: 600 });
  assert.deepEqual(result, { ok: true, exitCode: 0, signal: null, outputTail: 'done\n', timedOut: false, channel: '' });
});

test('buildout runners: the run\'s time limit reaches the child through the shared launch', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'slapos-test-timeout-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'bin'));
  // an already bootstrapped directory: the runner goes straight to bin/buildout
  await writeFile(join(dir, 'bin', 'buildout'), `#!/bin/sh\n${LINGERING}\n`, { mode: 0o755 });
  const runner = new ExternalBuildoutRunner(join(dir, 'unused-bootstrap'), runChild);
  const result = await runner.run({ directory: dir, env: ENV, logger: silentLogger(), timeoutSeconds: 2 });
  assert.equal(result.timedOut, true);
  assert.equal(result.ok, false);
  assert.equal(await running(backgroundPid(result.outputTail)), false);
});
