import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../src/log/index.ts';
import { instancePython, runPythonLauncher, type PythonLauncherOptions } from '../../../src/grid/promise/index.ts';
import { rejectsWith } from '../../helpers/assert.ts';

/* The Python launcher on its own: which Python, and how it fails before reaching slapos.core. */

test('instance python: the shebang of bin/buildout, through a /bin/sh exec wrapper, and only a Python', async (t) => {
  const software = await mkdtemp(join(tmpdir(), 'slapos-instance-python-'));
  t.after(() => rm(software, { recursive: true, force: true }));
  await mkdir(join(software, 'bin'));
  const buildout = join(software, 'bin', 'buildout');
  assert.match((await instancePython(software) as { reason: string }).reason, /bin\/buildout cannot be read/);
  const cases: Array<[string, string | RegExp]> = [
    ['#!/srv/slapgrid/slappart0/parts/python3/bin/python3.11 -S\nimport sys\n', '/srv/slapgrid/slappart0/parts/python3/bin/python3.11'],
    ['#!/bin/sh\n"exec" "/opt/a very long path/bin/python2.7" "$0" "$@"\n', '/opt/a very long path/bin/python2.7'],
    ['#!/bin/sh\nexec /opt/slapos/parts/python3/bin/python3 "$0" "$@"\n', '/opt/slapos/parts/python3/bin/python3'],
    ['#!/usr/bin/env node\n', /names \/usr\/bin\/env, not a Python/],
    ['#!/bin/sh\nexit 0\n', /names \/bin\/sh, not a Python/],
    ['import sys\n', /has no shebang/],
  ];
  for (const [text, expected] of cases) {
    await writeFile(buildout, text);
    const found = await instancePython(software);
    if (typeof expected === 'string') assert.deepEqual(found, { python: expected }, text);
    else assert.match((found as { reason: string }).reason, expected, text);
  }
});

test('python launcher: a plugin file without the eggs list, or with a computed one, is a launcher error with the reason', async (t) => {
  const partition = await mkdtemp(join(tmpdir(), 'slapos-launcher-'));
  t.after(() => rm(partition, { recursive: true, force: true }));
  await mkdir(join(partition, 'etc', 'plugin'), { recursive: true });
  const options: PythonLauncherOptions = {
    python: '/usr/bin/python3', partitionPath: partition, partitionId: 'slappart0', computerId: 'computer', masterUrl: 'http://127.0.0.1:1',
    certFile: '', keyFile: '', promiseTimeoutSeconds: 5, promiseCount: 1, mode: 'test', env: { PATH: '/usr/bin:/bin' }, logger: silentLogger(),
  };
  const plugin = join(partition, 'etc', 'plugin', 'check.py');
  await writeFile(plugin, 'import sys\nprint("never executed")\n');
  await rejectsWith(runPythonLauncher(options), 'GRID_ERR_PROMISE_LAUNCHER', 'exit status 1', `${plugin} has no sys.path[0:0] = [...] assignment`);
  await writeFile(plugin, 'import os, sys\nsys.path[0:0] = [os.getcwd()]\n');
  await rejectsWith(runPythonLauncher(options), 'GRID_ERR_PROMISE_LAUNCHER', 'sys.path[0:0] is not assigned a literal list');
  await writeFile(plugin, 'import sys\nsys.path[0:0] = ["/nonexistent/eggs"]\n');
  await rejectsWith(runPythonLauncher(options), 'GRID_ERR_PROMISE_LAUNCHER', "cannot import slapos.grid.promise from the software release's eggs");
  await assert.rejects(runPythonLauncher({ ...options, promiseTimeoutSeconds: 1.5 }), /promiseTimeoutSeconds must be a positive integer/);
});
