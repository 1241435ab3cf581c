import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertExit } from '../helpers/assert.ts';
import { startTestNode } from '../grid/report/node.ts';

test('slapos node report logs to [slapos] logfile, unless the command line names another file', async (t) => {
  const node = await startTestNode();
  t.after(() => node.close());
  const configured = join(node.root, 'slapos-node-report.log');
  await appendFile(node.cfg, `logfile = ${configured}\n`);

  assertExit(await node.slapos('node', 'report', '--now'), 0);
  const first = await readFile(configured, 'utf8');
  assert.match(first, /Aggregating and sending usage reports/);

  const named = join(node.root, 'named.log');
  assertExit(await node.slapos('node', 'report', '--now', '--logfile', named), 0);
  assert.match(await readFile(named, 'utf8'), /Aggregating and sending usage reports/);
  assert.equal(await readFile(configured, 'utf8'), first, 'the configured file is left alone');
});
