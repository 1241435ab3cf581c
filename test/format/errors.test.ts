import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from '../helpers/cli.ts';
import { FormatError, FormatErrorCode } from '../../src/format/index.ts';

test('every slapformat error code is documented in docs/errors/format.md, with its status', () => {
  const doc = readFileSync(`${REPO_ROOT}/docs/errors/format.md`, 'utf8');
  const documented = doc.split('\n').filter((line) => line.startsWith('| `FORMAT_ERR_')).map((line) => /^\| `([A-Z0-9_]+)` \|/.exec(line)![1]);
  assert.deepEqual(documented.sort(), Object.values(FormatErrorCode).sort());
  for (const code of Object.values(FormatErrorCode)) {
    const row = doc.split('\n').find((line) => line.startsWith(`| \`${code}\` |`))!;
    assert.ok(row.trimEnd().endsWith(`| ${new FormatError(code, 'x').status} |`), `${code}: documented status differs`);
  }
});
