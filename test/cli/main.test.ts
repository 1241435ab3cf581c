import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSlapos, REPO_ROOT } from '../helpers/cli.ts';

test('slapos --version prints the package version', async () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  const result = await runSlapos(['--version']);
  assert.equal(result.code, 0);
  assert.equal(result.stdout.trim(), pkg.version);
});

test('slapos --help lists the command groups', async () => {
  const result = await runSlapos(['--help']);
  assert.equal(result.code, 0);
  for (const group of ['node', 'proxy', 'request', 'supply', 'console']) {
    assert.match(result.stdout, new RegExp(`^\\s+${group}\\b`, 'm'), `--help should list ${group}`);
  }
});
