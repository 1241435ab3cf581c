import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, stat, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../src/log/index.ts';
import { lookupUser } from '../../../src/grid/spawn.ts';
import {
  ensureSupervisord, prepareSupervisordLayout, startPartitionGroup, stopPartitionGroup, supervisordLayout,
  writePartitionGroup, type PartitionGroup, type SupervisordClient,
} from '../../../src/grid/supervisord/index.ts';

// A real supervisord (/usr/bin/supervisord) in a temporary instance root.

async function partition(root: string, id: string, services: Record<string, string>): Promise<PartitionGroup> {
  const path = join(root, id);
  await mkdir(join(path, 'etc', 'service'), { recursive: true });
  for (const [name, script] of Object.entries(services)) {
    await writeFile(join(path, 'etc', 'service', name), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  }
  const info = await stat(path);
  const user = await lookupUser(info.uid);
  return { partitionId: id, partitionPath: path, account: { uid: info.uid, gid: info.gid, name: user.name, home: path } };
}

async function pids(client: SupervisordClient): Promise<Record<string, { state: string; pid: number }>> {
  const all = await client.getAllProcessInfo();
  return Object.fromEntries(all.map((p) => [`${p.group}:${p.name}`, { state: p.statename, pid: p.pid }]));
}

test('supervisord: launched once, groups reconciled without touching other partitions', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'slapos-sv-'));
  const logger = silentLogger();
  const layout = supervisordLayout(root);

  await prepareSupervisordLayout(layout);
  assert.equal((await stat(layout.configPath)).mode & 0o777, 0o600);
  assert.equal((await stat(join(root, 'etc'))).mode & 0o777, 0o700);
  const { client, launched } = await ensureSupervisord(layout, { logger });
  assert.equal(launched, true);
  t.after(async () => {
    await client.shutdown().catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  });
  assert.equal((await client.getState()).statename, 'RUNNING');
  // a second call finds it running
  const again = await ensureSupervisord(layout, { logger });
  assert.equal(again.launched, false);
  assert.equal((await again.client.getState()).statecode, 1);
  const daemonPid = (await readFile(layout.pidFile, 'utf8')).trim();

  const a = await partition(root, 'slappart0', { sleeper: 'exec sleep 300' });
  const b = await partition(root, 'slappart1', { sleeper: 'exec sleep 300' });
  for (const group of [a, b]) {
    await writePartitionGroup(layout, client, group, logger);
    await startPartitionGroup(client, group.partitionId, logger);
  }
  let state = await pids(client);
  assert.equal(state['slappart0:sleeper-on-watch']?.state, 'RUNNING');
  assert.equal(state['slappart1:sleeper-on-watch']?.state, 'RUNNING');
  const otherPid = state['slappart1:sleeper-on-watch']!.pid;

  // changing slappart0 restarts only slappart0's group
  await writeFile(join(a.partitionPath, 'etc', 'service', 'second'), '#!/bin/sh\nexec sleep 300\n', { mode: 0o755 });
  await writePartitionGroup(layout, client, a, logger);
  await startPartitionGroup(client, 'slappart0', logger);
  state = await pids(client);
  assert.equal(state['slappart0:second-on-watch']?.state, 'RUNNING');
  assert.equal(state['slappart1:sleeper-on-watch']?.pid, otherPid);

  // stop: the group disappears, the other one stays
  await stopPartitionGroup(layout, client, 'slappart0', logger);
  state = await pids(client);
  assert.equal(state['slappart0:sleeper-on-watch'], undefined);
  assert.equal(state['slappart1:sleeper-on-watch']?.pid, otherPid);

  // a service that is not executable: a clear error naming it
  await chmod(join(b.partitionPath, 'etc', 'service', 'sleeper'), 0o644);
  await writeFile(join(b.partitionPath, 'etc', 'service', 'broken'), '#!/bin/sh\nexit 0\n', { mode: 0o644 });
  await writePartitionGroup(layout, client, b, logger);
  await assert.rejects(startPartitionGroup(client, 'slappart1', logger), (error: { code?: string; message: string }) =>
    error.code === 'GRID_ERR_SUPERVISORD_START' && error.message.includes('broken'));

  // nothing to start for an unknown group is not an error
  await startPartitionGroup(client, 'slappart9', logger);
  assert.equal((await readFile(layout.pidFile, 'utf8')).trim(), daemonPid);
});

test('supervisord: a missing executable is a clear launch error', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'slapos-sv-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const layout = supervisordLayout(root);
  await prepareSupervisordLayout(layout);
  await assert.rejects(ensureSupervisord(layout, { logger: silentLogger(), supervisordBinary: join(root, 'no-supervisord') }),
    (error: { code?: string; message: string }) => error.code === 'GRID_ERR_SUPERVISORD_LAUNCH' && /supervisor/.test(error.message));
  await assert.rejects(ensureSupervisord(layout, { logger: silentLogger(), forbidLaunch: true }), { code: 'GRID_ERR_SUPERVISORD_UNREACHABLE' });
});
