import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startTestProxy, type TestProxy } from '../../helpers/proxy.ts';
import { runSlapos, type CliResult } from '../../helpers/cli.ts';
import type { Slap } from '../../../src/slap/index.ts';
import { SupervisordClient } from '../../../src/grid/supervisord/index.ts';
import { formatTestComputer } from '../formatted-computer.ts';

/*
 * A formatted computer for the promise tests: a real proxy, one software
 * release installed whose bin/buildout the test gives, and the last state
 * each partition reported, read from the proxy's database.
 */

export const COMPUTER = 'computer';
export const SOFTWARE_URL = 'https://lab.example/software/promises/software.cfg';
const PARTITIONS = ['slappart0', 'slappart1', 'slappart2'];

export interface PromiseNode {
  proxy: TestProxy;
  /** A directory readable by every user, removed by close(). */
  root: string;
  instanceRoot: string;
  softwarePath: string;
  cfg: string;
  slap: Slap;
  /** `slapos node <command> --cfg … --now --promise-timeout 1 ARGS`. */
  run(command: 'instance' | 'promise', ...args: string[]): Promise<CliResult>;
  /** Requests an instance of the software release; resolves with its partition id. */
  request(reference: string, state?: 'started' | 'stopped'): Promise<string>;
  /** The last state the partition reported to the master, and its error message. */
  reported(partition: string): { state: string | null; error: string | null };
  /** Lines in `<partition>/<file>` (promises of these tests count their runs there). */
  lines(partition: string, file: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * A software release's bin/buildout writing one legacy promise that counts
 * its runs in `promise-runs.log` and fails while `<partition>/broken` exists.
 */
export const BREAKABLE_PROMISE_BUILDOUT = `#!/bin/sh
mkdir -p etc/promise
cat > etc/promise/check-service <<'PROMISE'
#!/bin/sh
echo run >> promise-runs.log
if [ -e broken ]; then echo "service is down" >&2; exit 1; fi
echo "service is up"
PROMISE
chmod 755 etc/promise/check-service
`;

/** `extraConfig` is added to the node's `[slapos]` section. */
export async function startPromiseNode(buildout: string, options: { extraConfig?: string } = {}): Promise<PromiseNode> {
  const proxy = await startTestProxy({ computerId: COMPUTER });
  const root = await mkdtemp(join(tmpdir(), 'slapos-promise-node-'));
  // partition users (nobody, when the tests run as root) must reach what is inside
  await chmod(root, 0o755);
  const { instanceRoot, softwareRoot, cfg, slap } = await formatTestComputer({
    root, masterUrl: proxy.url, computerId: COMPUTER, partitions: PARTITIONS, softwareUrl: SOFTWARE_URL, buildout,
    ...(options.extraConfig === undefined ? {} : { extraConfig: options.extraConfig }),
  });
  const database = new Database(proxy.databasePath, { readonly: true, fileMustExist: true });
  const report = database.prepare<[string], { state: string | null; error: string | null }>(
    'SELECT reported_state AS state, error_log AS error FROM partition WHERE reference = ?');
  return {
    proxy, root, instanceRoot, cfg, slap,
    softwarePath: join(softwareRoot, createHash('md5').update(SOFTWARE_URL).digest('hex')),
    run: (command, ...args) => runSlapos(['node', command, '--cfg', cfg, '--now', '--promise-timeout', '1', ...args]),
    async request(reference, state = 'started') {
      const partition = await slap.registerOpenOrder().request({ softwareRelease: SOFTWARE_URL, partitionReference: reference, partitionParameterKw: {}, state });
      return partition.getId();
    },
    reported: (partition) => report.get(partition) ?? { state: null, error: null },
    async lines(partition, file) {
      return (await readFile(join(instanceRoot, partition, file), 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
    },
    async close() {
      database.close();
      await new SupervisordClient({ socketPath: join(instanceRoot, 'supervisord.socket') }).shutdown().catch(() => undefined);
      await slap.close();
      await proxy.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
