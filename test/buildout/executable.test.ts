import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythonOnPath } from '../../src/buildout/config/executable.ts';

/** The default of `[buildout] executable`: python3 on PATH, found as CPython finds sys.executable. */
test('pythonOnPath: the first executable python3 on PATH, as found (symlinks kept)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'buildout-executable-'));
  try {
    const [notExecutable, directory, linked, plain] = ['a', 'b', 'c', 'd'].map((name) => join(dir, name)) as [string, string, string, string];
    for (const path of [notExecutable, directory, linked, plain]) await mkdir(path);
    await writeFile(join(notExecutable, 'python3'), '');
    await chmod(join(notExecutable, 'python3'), 0o644);
    await mkdir(join(directory, 'python3'));
    await writeFile(join(plain, 'python3'), '#!/bin/sh\n');
    await chmod(join(plain, 'python3'), 0o755);
    await symlink(join(plain, 'python3'), join(linked, 'python3'));

    assert.equal(await pythonOnPath([notExecutable, directory, linked, plain].join(':'), '/'), join(linked, 'python3'));
    assert.equal(await pythonOnPath([notExecutable, plain].join(':'), '/'), join(plain, 'python3'));
    assert.equal(await pythonOnPath('d', dir), join(plain, 'python3'), 'a relative entry is taken from cwd');
    assert.equal(await pythonOnPath(':/nonexistent', plain), join(plain, 'python3'), 'an empty entry is cwd');
    assert.equal(await pythonOnPath([notExecutable, directory].join(':'), '/'), undefined);
    assert.equal(await pythonOnPath('', plain), undefined, 'no PATH: nothing searched');
    assert.equal(await pythonOnPath(undefined, plain), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
