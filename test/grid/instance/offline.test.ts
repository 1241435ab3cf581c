import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SupervisordClient } from '../../../src/grid/supervisord/index.ts';
import { startPromiseNode } from '../promise/promise-node.ts';

/*
 * 1.x's offline mode: after a reboot with the master out of reach, `node
 * instance` still brings the deployed services back and exits 3.
 */

const BUILDOUT = `#!/bin/sh
mkdir -p etc/service
printf '#!/bin/sh\\nexec sleep 600\\n' > etc/service/web
chmod 755 etc/service/web
`;

test('node instance, master unreachable: every service supervisord knows is started, exit 3; stopped partitions stay stopped', async (t) => {
  const node = await startPromiseNode(BUILDOUT);
  t.after(() => node.close());
  const running = await node.request('running');
  const stopped = await node.request('stopped', 'stopped');
  assert.equal((await node.run('instance')).code, 0);
  const supervisord = (): SupervisordClient => new SupervisordClient({ socketPath: join(node.instanceRoot, 'supervisord.socket') });
  // the partitions' groups (supervisord also runs the watchdog)
  const states = async (): Promise<Record<string, string>> => Object.fromEntries((await supervisord().getAllProcessInfo())
    .filter((process) => [running, stopped].includes(process.group)).map((process) => [process.group, process.statename]));
  assert.deepEqual(await states(), { [running]: 'RUNNING' });

  // the node reboots (supervisord and its services gone) while the master is away
  await supervisord().shutdown();
  await node.proxy.close();
  const offline = await node.run('instance');
  assert.equal(offline.code, 3, offline.stderr);
  assert.match(offline.stderr, /master cannot be reached/);
  assert.deepEqual(await states(), { [running]: 'RUNNING' }, `${stopped} has no group: it stays stopped`);
});
