import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../log/index.ts';
import { cleanEnvironment, runChild } from '../spawn.ts';
import { updateSupervisor, type PartitionAccount, type SupervisordClient, type SupervisordLayout } from '../supervisord/index.ts';
import { emptyDirectory } from './empty-directory.ts';
import { ReportError } from './errors.ts';
import { endPartitionProcesses } from './leftover-processes.ts';
import { retentionAllowsDestruction } from './retention.ts';

export interface DestroyPartitionOptions {
  id: string;
  /** `<instance_root>/<id>`. */
  path: string;
  /** Owner of the partition directory: who runs `sbin/destroy`. */
  account: PartitionAccount;
  layout: SupervisordLayout;
  client: SupervisordClient;
  /** Where the partition's `<id>.key` / `<id>.crt` are kept, if anywhere. */
  certificateRepositoryPath?: string;
  /** Environment the destroy script's clean environment is made from. */
  baseEnv: NodeJS.ProcessEnv;
  logger: Logger;
  /** Seconds since the epoch (retention lock). */
  nowSeconds: number;
}

/** What destroying did: the partition is empty, or a retention lock keeps it for now. */
export type DestroyOutcome = 'destroyed' | 'retained';

/** `<id>.conf` and the `<id>-<suffix>.conf` files of plugin managers. */
function isPartitionGroupFile(name: string, id: string): boolean {
  return name === `${id}.conf` || (name.startsWith(`${id}-`) && name.endsWith('.conf'));
}

/**
 * Removes every supervisord configuration file of the partition and applies
 * that, so supervisord stops and forgets its groups. Returns the files removed.
 */
export async function removePartitionGroups(layout: SupervisordLayout, client: SupervisordClient, id: string, logger: Logger): Promise<string[]> {
  const names = (await readdir(layout.includeDirectory).catch(() => [] as string[])).filter((name) => isPartitionGroupFile(name, id));
  for (const name of names) {
    await unlink(join(layout.includeDirectory, name)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
  if (names.length > 0) {
    await updateSupervisor(client, logger);
    logger.info('Requested stop', { partition: id });
  }
  return names;
}

async function runDestroyScript(options: DestroyPartitionOptions): Promise<void> {
  const script = join(options.path, 'sbin', 'destroy');
  if (!(await stat(script).catch(() => undefined))) return;
  const { account, logger } = options;
  logger.info('Running the instance\'s destroy script', { partition: options.id, script });
  const result = await runChild({
    command: script,
    args: [],
    cwd: options.path,
    env: cleanEnvironment(options.baseEnv, account.home),
    user: { uid: account.uid, gid: account.gid, name: account.name },
    onLine: (line) => logger.info(line, { partition: options.id, source: 'destroy' }),
  });
  if (!result.ok) {
    throw new ReportError('GRID_ERR_DESTROY_SCRIPT_FAILED', `Failed to destroy Computer Partition in '${options.path}' (${script} exited ${result.exitCode ?? result.signal}):\n${result.outputTail}`);
  }
}

/**
 * Destroys the instance of a partition and leaves the partition ready for a
 * new one (spec node.md §7, "Partition destroy"): unless a retention lock
 * keeps it, its services are stopped, the instance's own `sbin/destroy`
 * runs, processes left inside are ended, its certificate is deleted and the
 * directory is emptied (it keeps its owner and mode). Safe to call again
 * after a failure: each step is idempotent.
 */
export async function destroyPartition(options: DestroyPartitionOptions): Promise<DestroyOutcome> {
  const { id, path, logger } = options;
  logger.info('Destroying Computer Partition', { partition: id });
  if (!(await retentionAllowsDestruction(path, options.nowSeconds))) {
    logger.info('Impossible to destroy partition yet because of retention lock.', { partition: id });
    return 'retained';
  }
  await removePartitionGroups(options.layout, options.client, id, logger);
  await runDestroyScript(options);
  await endPartitionProcesses(path, options.account.uid, logger);
  if (options.certificateRepositoryPath !== undefined) {
    for (const name of [`${id}.key`, `${id}.crt`]) {
      await unlink(join(options.certificateRepositoryPath, name)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    }
  }
  await emptyDirectory(path);
  logger.info('Partition emptied', { partition: id });
  return 'destroyed';
}
