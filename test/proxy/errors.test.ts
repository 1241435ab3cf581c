import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROXY_ERRORS } from '../../src/proxy/index.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

test('every proxy error code is documented with its status, and nothing else is', async () => {
  const doc = await readFile(join(REPO_ROOT, 'docs/errors/proxy.md'), 'utf8');
  const rows = new Map([...doc.matchAll(/^\| `(PROXY_ERR_[A-Z_]+)` \|.*\| (\d{3}) \|$/gm)].map((m) => [m[1]!, Number(m[2])]));
  assert.deepEqual([...rows.keys()].sort(), Object.keys(PROXY_ERRORS).sort());
  for (const [code, status] of Object.entries(PROXY_ERRORS)) assert.equal(rows.get(code), status, code);
});
