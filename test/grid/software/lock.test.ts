import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquirePidLock, GRID_ERR_LOCKED } from '../../../src/grid/index.ts';

async function withDir(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'slapos-test-lock-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('the lock file holds the pid without newline and is removed on release', () => withDir((dir) => {
  const path = join(dir, 'sr.pid');
  const lock = acquirePidLock(path);
  assert.equal(readFileSync(path, 'utf8'), String(process.pid));
  lock.release();
  assert.equal(existsSync(path), false);
}));

test('a live holder makes a second acquisition fail with GRID_ERR_LOCKED', () => withDir(async (dir) => {
  const path = join(dir, 'sr.pid');
  const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    writeFileSync(path, String(holder.pid));
    assert.throws(() => acquirePidLock(path), (error: Error & { code?: string }) =>
      error.code === GRID_ERR_LOCKED && error.message.includes(`pid ${holder.pid}`));
    assert.equal(readFileSync(path, 'utf8'), String(holder.pid), 'the holder keeps its lock');
  } finally {
    holder.kill();
  }
}));

test('a lock left by a dead process, or holding garbage, is taken over', () => withDir(async (dir) => {
  const path = join(dir, 'sr.pid');
  const gone = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => gone.on('exit', resolve));
  for (const stale of [String(gone.pid), 'not a pid\n', '']) {
    writeFileSync(path, stale);
    const lock = acquirePidLock(path);
    assert.equal(readFileSync(path, 'utf8'), String(process.pid));
    lock.release();
  }
}));

test('release leaves alone a lock file that another process now holds', () => withDir((dir) => {
  const path = join(dir, 'sr.pid');
  const lock = acquirePidLock(path);
  writeFileSync(path, '1');
  lock.release();
  assert.equal(readFileSync(path, 'utf8'), '1');
}));
