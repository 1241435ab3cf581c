import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runSlapos } from '../../helpers/cli.ts';
import { assertExit } from '../../helpers/assert.ts';
import { softwareUrlHash } from '../../../src/grid/index.ts';
import { readText, startTestNode } from './node.ts';

test('node software: below software_min_free_space a release is refused and reported, and built once the minimum allows it', async (t) => {
  const n = await startTestNode();
  t.after(() => n.close());
  const urls = [join(n.dir, 'first.cfg'), join(n.dir, 'second.cfg')];
  for (const url of urls) {
    await writeFile(url, `[buildout]\nparts = hello\n\n[hello]\nrecipe = plone.recipe.command\ncommand = echo built > \${buildout:directory}/engine.txt\n`);
    await n.supply(url);
  }
  const info = await statfs(n.softwareRoot);
  const moreThanThere = Math.ceil((info.bavail * info.bsize) / 2 ** 30) + 1024;
  const cfg = await readFile(n.cfgPath, 'utf8');
  await writeFile(n.cfgPath, cfg.replace('software_min_free_space = 1M', `software_min_free_space = ${moreThanThere}G`));

  const refused = await runSlapos(['node', 'software', '--cfg', n.cfgPath, '--now']);
  assertExit(refused, 1);
  assert.match(refused.stdout, /\[1\/2\] .*FAILED after .*: Not enough space for /);
  assert.match(refused.stdout, /\[2\/2\] .*FAILED after /, 'the next release was still tried');
  for (const record of await n.software()) {
    assert.equal(record.reportedState, 'error');
    const path = join(n.softwareRoot, softwareUrlHash(record.url));
    assert.match(record.errorLog ?? '', new RegExp(`^GRID_ERR_DISK_SPACE: Not enough space for ${path}: available [\\d.]+ [KMGT]?B, `
      + 'required [\\d.]+ [GT]B \\(option \'software_min_free_space\'\\)$'));
    assert.equal(existsSync(path), false, 'nothing was written');
  }

  await writeFile(n.cfgPath, cfg.replace('software_min_free_space = 1M', 'software_min_free_space = 1K'));
  assertExit(await runSlapos(['node', 'software', '--cfg', n.cfgPath, '--now']), 0);
  for (const url of urls) assert.equal(await readText(join(n.softwareRoot, softwareUrlHash(url), 'engine.txt')), 'built\n');
  assert.deepEqual((await n.software()).map((record) => record.reportedState), ['available', 'available']);
});
