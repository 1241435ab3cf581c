import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigFile } from '../../../src/config/index.ts';
import { Logger, silentLogger } from '../../../src/log/index.ts';
import { readNodeConfig, runSlapgridReport } from '../../../src/grid/index.ts';
import { destroyPartition, RETENTION_DATE_FILE, RETENTION_DELAY_FILE } from '../../../src/grid/report/index.ts';
import { SupervisordClient, supervisordLayout } from '../../../src/grid/supervisord/index.ts';
import { startTestNode } from './node.ts';

const NOBODY = 65534;

/**
 * A partition directory (owned by "nobody" when the tests run as root, as
 * partitions never belong to root), with nothing in supervisord: the client
 * is never called.
 */
async function partition(t: { after(fn: () => Promise<void>): void }): Promise<{ root: string; options: Parameters<typeof destroyPartition>[0] }> {
  const root = await mkdtemp(join(tmpdir(), 'slapos-destroy-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const path = join(root, 'slappart0');
  await mkdir(join(path, 'sbin'), { recursive: true });
  await mkdir(join(root, 'etc', 'supervisord.conf.d'), { recursive: true });
  await writeFile(join(path, 'data'), 'old instance');
  const asRoot = process.getuid?.() === 0;
  const uid = asRoot ? NOBODY : process.getuid?.() ?? 0;
  const gid = asRoot ? NOBODY : process.getgid?.() ?? 0;
  await chmod(root, 0o755);
  for (const owned of [path, join(path, 'sbin')]) await chown(owned, uid, gid);
  return {
    root,
    options: {
      id: 'slappart0', path,
      account: { uid, gid, name: 'partition', home: path },
      layout: supervisordLayout(root),
      client: new SupervisordClient({ socketPath: join(root, 'supervisord.socket') }),
      baseEnv: { PATH: process.env.PATH },
      logger: silentLogger(),
      nowSeconds: 1_000_000,
    },
  };
}

test('destroyPartition: a failing uninstall script keeps the partition as it is', async (t) => {
  const { options } = await partition(t);
  await writeFile(join(options.path, 'sbin', 'destroy'), '#!/bin/sh\necho "cannot uninstall"\nexit 3\n', { mode: 0o755 });
  await assert.rejects(destroyPartition(options), (error: { code?: string; message?: string }) => {
    assert.equal(error.code, 'GRID_ERR_DESTROY_SCRIPT_FAILED');
    assert.match(error.message ?? '', /exited 3\):\ncannot uninstall/);
    return true;
  });
  assert.equal(await readFile(join(options.path, 'data'), 'utf8'), 'old instance');
});

test('destroyPartition: a retention delay keeps the instance until its deadline, then it goes', async (t) => {
  const { options } = await partition(t);
  await writeFile(join(options.path, RETENTION_DELAY_FILE), '2');
  assert.equal(await destroyPartition(options), 'retained');
  assert.equal(await readFile(join(options.path, RETENTION_DATE_FILE), 'utf8'), String(1_000_000 + 2 * 86400));
  assert.equal(await destroyPartition({ ...options, nowSeconds: 1_000_000 + 86400 }), 'retained');
  assert.equal(await destroyPartition({ ...options, nowSeconds: 1_000_000 + 2 * 86400 }), 'destroyed');
  assert.deepEqual(await readdir(options.path), []);
});

test('runSlapgridReport: a missing partition directory is reported, the other partitions are still handled', async (t) => {
  const node = await startTestNode();
  t.after(() => node.close());
  const id = await node.request('gone');
  await rm(join(node.instanceRoot, id), { recursive: true });
  const other = await node.request('still-here');
  await node.request('still-here', 'destroyed');
  await chmod(join(node.instanceRoot, other), 0o750);
  const lines: string[] = [];
  const result = await runSlapgridReport({
    config: readNodeConfig(ConfigFile.load(node.cfg)),
    logger: new Logger({ sinks: [{ write: (line) => { lines.push(line); } }] }),
  });
  assert.equal(result.exitCode, 1);
  assert.deepEqual(result.failures.map((f) => f.id), [id]);
  assert.match(result.failures[0]!.message, /Partition directory .* does not exist/);
  assert.deepEqual(result.destroyed, [other]);
  assert.equal(node.count('softwareInstanceError'), 1);
});
