import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestProxy, type TestProxy } from '../../helpers/proxy.ts';
import { runSlapos, type CliResult } from '../../helpers/cli.ts';
import { assertExit } from '../../helpers/assert.ts';
import { silentLogger } from '../../../src/log/index.ts';
import { SqliteStore } from '../../../src/proxy/store/sqlite.ts';
import type { Slap } from '../../../src/slap/index.ts';
import { SupervisordClient } from '../../../src/grid/supervisord/index.ts';
import { RETENTION_DELAY_FILE } from '../../../src/grid/report/index.ts';
import { formatTestComputer, runningAsRoot } from '../formatted-computer.ts';

/*
 * The limits of a partition's deployment (spec node.md §5.4): free space
 * before buildout, partition_timeout on the buildout run, and the retention
 * delay recorded after the first successful deployment. The software
 * release's bin/buildout is a shell script; a `hang` file in the partition
 * makes it start a background process and wait forever.
 */

const COMPUTER = 'computer';
const SOFTWARE_URL = 'https://lab.example/software/limits/software.cfg';
const NOBODY = 65534;

interface Node {
  proxy: TestProxy;
  instanceRoot: string;
  shared: string;
  cfg: string;
  slap: Slap;
  instance(...args: string[]): Promise<CliResult>;
  request(reference: string): Promise<string>;
  /** The error the partition last reported to the master, if any. */
  errorLog(id: string): Promise<string | null | undefined>;
  runs(id: string): Promise<number>;
  close(): Promise<void>;
}

async function startNode(extraConfig = ''): Promise<Node> {
  const proxy = await startTestProxy({ computerId: COMPUTER });
  const root = await mkdtemp(join(tmpdir(), 'slapos-limits-'));
  await chmod(root, 0o755);
  const shared = join(root, 'shared');
  await mkdir(shared);
  await chmod(shared, 0o777);
  const buildout = `#!/bin/sh
echo run >> buildout-runs.log
if [ -e hang ]; then
  sleep 1000 &
  echo $! > '${shared}/hung-'"$(basename "$PWD")"
  wait
fi
`;
  const { instanceRoot, cfg, slap } = await formatTestComputer({
    root, masterUrl: proxy.url, computerId: COMPUTER, partitions: ['slappart0', 'slappart1'], softwareUrl: SOFTWARE_URL, buildout, extraConfig,
  });
  return {
    proxy, instanceRoot, shared, cfg, slap,
    instance: (...args) => runSlapos(['node', 'instance', '--cfg', cfg, '--now', ...args]),
    async request(reference) {
      return (await slap.registerOpenOrder().request({ softwareRelease: SOFTWARE_URL, partitionReference: reference })).getId();
    },
    async errorLog(id) {
      const store = new SqliteStore({ databasePath: proxy.databasePath, logger: silentLogger() });
      try {
        return (await store.transaction((tx) => tx.getPartition(COMPUTER, id)))?.errorLog;
      } finally {
        await store.close();
      }
    },
    async runs(id) {
      const log = await readFile(join(instanceRoot, id, 'buildout-runs.log'), 'utf8').catch(() => '');
      return log.split('\n').filter(Boolean).length;
    },
    async close() {
      await new SupervisordClient({ socketPath: join(instanceRoot, 'supervisord.socket') }).shutdown().catch(() => undefined);
      await slap.close();
      await proxy.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Whether the process runs (a zombie left to an init that does not reap does not). */
async function running(pid: number): Promise<boolean> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return text !== undefined && !/^\s*[ZX]/.test(text.slice(text.lastIndexOf(')') + 1));
}

test('node instance: a buildout past partition_timeout is killed with its processes, the partition fails, the others are deployed', async (t) => {
  const node = await startNode('partition_timeout = 3\n');
  t.after(() => node.close());
  const slow = await node.request('slow');
  const quick = await node.request('quick');
  await writeFile(join(node.instanceRoot, slow, 'hang'), '');

  const result = await node.instance();
  assertExit(result, 1);
  assert.match(result.stderr, new RegExp(`Buildout of partition ${slow} did not finish within partition_timeout \\(3 s\\)`));
  const hung = Number(await readFile(join(node.shared, `hung-${slow}`), 'utf8'));
  assert.equal(await running(hung), false, 'what the buildout started was killed with it');
  assert.match(await node.errorLog(slow) ?? '', new RegExp(`^Buildout of partition ${slow} did not finish within partition_timeout \\(3 s\\): killed`));
  await assert.rejects(stat(join(node.instanceRoot, slow, RETENTION_DELAY_FILE)), 'nothing recorded for a failed deployment');

  assert.equal(await node.runs(quick), 1);
  assert.equal(await node.errorLog(quick), null);
  // deployed once: the retention delay (none asked) is recorded, owned by the partition user
  const delayFile = join(node.instanceRoot, quick, RETENTION_DELAY_FILE);
  assert.equal(await readFile(delayFile, 'utf8'), '0');
  if (runningAsRoot) assert.equal((await stat(delayFile)).uid, NOBODY);
  // and never rewritten by later deployments
  await writeFile(delayFile, '3');
  await rm(join(node.instanceRoot, slow, 'hang'));
  assertExit(await node.instance('--force'), 0);
  assert.equal(await node.runs(quick), 2);
  assert.equal(await readFile(delayFile, 'utf8'), '3');
  assert.equal(await readFile(join(node.instanceRoot, slow, RETENTION_DELAY_FILE), 'utf8'), '0');
});

test('node instance: below instance_min_free_space no buildout runs and the partition reports why', async (t) => {
  const node = await startNode();
  t.after(() => node.close());
  const id = await node.request('cramped');
  const info = await statfs(node.instanceRoot);
  const moreThanThere = Math.ceil((info.bavail * info.bsize) / 2 ** 30) + 1024;
  const cfg = await readFile(node.cfg, 'utf8');
  await writeFile(node.cfg, cfg.replace('instance_min_free_space = 1M', `instance_min_free_space = ${moreThanThere}G`));

  const refused = await node.instance();
  assertExit(refused, 1);
  assert.equal(await node.runs(id), 0);
  const path = join(node.instanceRoot, id);
  assert.match(await node.errorLog(id) ?? '',
    new RegExp(`^Not enough space for ${path}: available [\\d.]+ [KMGT]?B, required [\\d.]+ [GT]B \\(option 'instance_min_free_space'\\)$`));

  await writeFile(node.cfg, cfg.replace('instance_min_free_space = 1M', 'instance_min_free_space = 1K'));
  assertExit(await node.instance(), 0);
  assert.equal(await node.runs(id), 1);
});
