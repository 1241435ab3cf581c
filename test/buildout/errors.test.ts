import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from '../helpers/cli.ts';
import { BuildoutError, BuildoutErrorCode } from '../../src/buildout/index.ts';

test('every buildout error code is documented in docs/errors/buildout.md, with its status', () => {
  const doc = readFileSync(`${REPO_ROOT}/docs/errors/buildout.md`, 'utf8').split('\n');
  const documented = doc.filter((line) => line.startsWith('| `BUILDOUT_ERR_')).map((line) => /^\| `([A-Z0-9_]+)` \|/.exec(line)![1]);
  assert.deepEqual(documented.sort(), Object.values(BuildoutErrorCode).sort());
  for (const code of Object.values(BuildoutErrorCode)) {
    const row = doc.find((line) => line.startsWith(`| \`${code}\` |`))!;
    assert.ok(row.trimEnd().endsWith(`| ${new BuildoutError(code, 'x').status} |`), `${code}: documented status differs`);
  }
});
