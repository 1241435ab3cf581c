import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childArgv, cleanEnvironment, GRID_ERR_UNSAFE_USER, runChild } from '../../../src/grid/index.ts';

test('the clean environment drops Python, locale and temp variables and sets HOME', () => {
  const env = cleanEnvironment({ PATH: '/bin', PYTHONPATH: '/x', LANG: 'fr_FR', LC_ALL: 'C', TMPDIR: '/t', USER: 'root', HOME: '/root', KEEP: '1' }, '/home/slapsoft');
  assert.deepEqual(env, { PATH: '/bin', HOME: '/home/slapsoft', KEEP: '1' });
});

test('the child argv joins stderr to stdout, sets the umask through sh and drops privileges only as root', () => {
  const user = { uid: 1000, gid: 1000, name: 'slapsoft' };
  assert.deepEqual(childArgv({ command: 'buildout', args: ['-U', "it's"], umask: 0o027 }, false),
    ['/bin/sh', '-c', 'umask 0027 && exec "$@" 2>&1', 'slapos-child', 'buildout', '-U', "it's"]);
  assert.deepEqual(childArgv({ command: 'buildout', args: [], user }, false), ['/bin/sh', '-c', 'exec "$@" 2>&1', 'slapos-child', 'buildout'],
    'not root: nothing to drop');
  assert.deepEqual(childArgv({ command: 'buildout', args: [], user }, true),
    ['/usr/bin/setpriv', '--reuid=1000', '--regid=1000', '--init-groups', '--', '/bin/sh', '-c', 'exec "$@" 2>&1', 'slapos-child', 'buildout']);
  assert.throws(() => childArgv({ command: 'x', args: [], user: { uid: 0, gid: 5 } }, true), { code: GRID_ERR_UNSAFE_USER });
  assert.throws(() => childArgv({ command: 'x', args: [], user: { uid: 5, gid: 0 } }, true), { code: GRID_ERR_UNSAFE_USER });
});

test('runChild merges and streams output, keeps the tail, applies the umask and the env', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'slapos-test-spawn-'));
  try {
    const lines: string[] = [];
    const result = await runChild({
      command: '/bin/sh',
      args: ['-c', 'echo out; echo err >&2; echo "$ONLY"; touch made; printf partial; exit 3'],
      cwd: dir,
      env: { ONLY: 'explicit', PATH: '/usr/bin:/bin' },
      umask: 0o077,
      onLine: (line) => lines.push(line),
      tailSize: 8,
    });
    assert.equal(result.ok, false);
    assert.equal(result.exitCode, 3);
    assert.deepEqual(lines, ['out', 'err', 'explicit', 'partial'], 'one stream, in the order written');
    assert.equal(result.outputTail.length, 8);
    assert.ok(result.outputTail.endsWith('partial'));
    assert.equal((await stat(join(dir, 'made'))).mode & 0o777, 0o600);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a missing program is a failed run that says so; a missing cwd rejects with GRID_ERR_SPAWN', async () => {
  const missing = await runChild({ command: '/nonexistent/program', args: [], cwd: tmpdir(), env: {} });
  assert.equal(missing.ok, false);
  assert.equal(missing.exitCode, 127);
  assert.match(missing.outputTail, /\/nonexistent\/program: not found/);
  await assert.rejects(runChild({ command: '/bin/true', args: [], cwd: '/nonexistent/dir', env: {} }), { code: 'GRID_ERR_SPAWN' });
});

test('runChild runs as the given user when root', { skip: process.getuid?.() !== 0 && 'needs root' }, async () => {
  const lines: string[] = [];
  const result = await runChild({ command: '/usr/bin/id', args: ['-u'], cwd: '/', env: {}, user: { uid: 65534, gid: 65534, name: 'nobody' }, onLine: (l) => lines.push(l) });
  assert.equal(result.ok, true);
  assert.deepEqual(lines, ['65534']);
});

test('aborting stops the whole process group, grandchildren included', async () => {
  const controller = new AbortController();
  const lines: string[] = [];
  // the grandchild keeps the output pipe open: the run can only end once it is stopped too
  const run = runChild({
    command: '/bin/sh', args: ['-c', 'sleep 300 & echo started; wait'], cwd: tmpdir(), env: { PATH: '/usr/bin:/bin' },
    onLine: (line) => {
      lines.push(line);
      if (line === 'started') controller.abort();
    },
    signal: controller.signal,
  });
  const result = await run;
  assert.equal(result.ok, false);
  assert.equal(result.signal, 'SIGTERM');
  assert.deepEqual(lines, ['started']);
});
