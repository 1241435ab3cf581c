import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { assertExit } from '../../helpers/assert.ts';
import { SupervisordClient } from '../../../src/grid/supervisord/index.ts';
import { startPromiseNode } from '../promise/promise-node.ts';

/*
 * `node instance --force-stop` (1.x): partitions requested started are
 * deployed with their services stopped, whatever their timestamp, without
 * promises or a `started` report, and their timestamp is kept.
 */

const BUILDOUT = `#!/bin/sh
echo run >> buildout-runs.log
mkdir -p etc/service etc/promise
printf '#!/bin/sh\\nexec sleep 600\\n' > etc/service/web
chmod 755 etc/service/web
printf '#!/bin/sh\\necho run >> promise-runs.log\\n' > etc/promise/check
chmod 755 etc/promise/check
`;

test('node instance --force-stop: deployed, services stopped, no promise, timestamp kept; --force starts them again', async (t) => {
  const node = await startPromiseNode(BUILDOUT);
  t.after(() => node.close());
  const partition = await node.request('service');
  const supervisord = new SupervisordClient({ socketPath: join(node.instanceRoot, 'supervisord.socket') });
  const web = async (): Promise<string | undefined> =>
    (await supervisord.getAllProcessInfo()).find((process) => process.group === partition)?.statename;
  const timestampFile = join(node.instanceRoot, partition, '.timestamp');

  assertExit(await node.run('instance'), 0);
  assert.equal(await web(), 'RUNNING');
  const timestamp = await readFile(timestampFile, 'utf8');
  const timestampMtime = (await stat(timestampFile)).mtimeMs;

  const stopped = await node.run('instance', '--force-stop');
  assertExit(stopped, 0);
  assert.equal(await node.lines(partition, 'buildout-runs.log'), 2, 'deployed although up to date');
  assert.equal(await web(), undefined, 'its group is gone from supervisord');
  assert.equal(await node.lines(partition, 'promise-runs.log'), 1, 'no promise ran');
  assert.equal(await readFile(timestampFile, 'utf8'), timestamp);
  assert.equal((await stat(timestampFile)).mtimeMs, timestampMtime, 'timestamp not rewritten');

  // an ordinary run finds the partition up to date and leaves it as it is
  const ordinary = await node.run('instance');
  assertExit(ordinary, 0);
  assert.match(ordinary.stderr, /Partition already up-to-date, skipping/);
  assert.equal(await web(), undefined);

  assertExit(await node.run('instance', '--force'), 0);
  assert.equal(await web(), 'RUNNING');
});
