import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLIENT_ERROR_CODES, ClientError } from '../../src/client/index.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

test('every client error code is documented in docs/errors/client.md, and nothing else', () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs/errors/client.md'), 'utf8');
  const documented = [...doc.matchAll(/^\| `(CLIENT_ERR_[A-Z_]+)` \|/gm)].map((m) => m[1]).sort();
  assert.deepEqual(documented, Object.values(CLIENT_ERROR_CODES).sort());
});

test('a ClientError carries its code and a 400 status', () => {
  const error = new ClientError(CLIENT_ERROR_CODES.KEY_VALUE, 'bad');
  assert.equal(error.code, 'CLIENT_ERR_KEY_VALUE');
  assert.equal(error.status, 400);
  assert.equal(error.message, 'bad');
});
