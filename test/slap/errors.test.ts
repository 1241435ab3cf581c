import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from '../helpers/cli.ts';
import { SLAP_ERRORS, SlapError } from '../../src/slap/errors.ts';

it('documents every code of the SLAP library in docs/errors/slap.md, with its status', () => {
  const doc = readFileSync(`${REPO_ROOT}/docs/errors/slap.md`, 'utf8');
  for (const [code, status] of Object.entries(SLAP_ERRORS)) {
    const row = doc.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
    assert.ok(row !== undefined, `${code} is not documented`);
    assert.ok(row.trimEnd().endsWith(`| ${status} |`), `${code}: documented status differs from ${status}`);
  }
});

it('gives each error its code and status', () => {
  const error = new SlapError('SLAP_ERR_RESOURCE_NOT_READY', 'later');
  assert.equal(error.code, 'SLAP_ERR_RESOURCE_NOT_READY');
  assert.equal(error.status, 408);
  assert.equal(error.message, 'later');
});
