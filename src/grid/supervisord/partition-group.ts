import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../log/index.ts';
import { hasCode } from '../../errors/index.ts';
import type { SupervisordClient } from './client.ts';
import { renderPartitionGroupConfig, type PartitionAccount, type PartitionProgram } from './config.ts';
import { SupervisordError, SupervisordFault } from './errors.ts';
import type { SupervisordLayout } from './layout.ts';
import { updateFile } from './layout.ts';
import { updateSupervisor } from './reconcile.ts';

/** A partition's place in supervisord: its group is named after the partition id. */
export interface PartitionGroup {
  partitionId: string;
  partitionPath: string;
  account: PartitionAccount;
}

async function entries(directory: string): Promise<string[]> {
  try {
    return (await readdir(directory)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw error;
  }
}

/** Every file of `etc/run` (plain programs) and `etc/service` (watched programs), sorted. */
async function listPartitionPrograms(partitionPath: string): Promise<PartitionProgram[]> {
  const programs: PartitionProgram[] = [];
  for (const kind of ['run', 'service'] as const) {
    const directory = join(partitionPath, 'etc', kind);
    for (const name of await entries(directory)) programs.push({ name, command: join(directory, name), kind });
  }
  return programs;
}

function groupConfigPath(layout: SupervisordLayout, partitionId: string): string {
  return join(layout.includeDirectory, `${partitionId}.conf`);
}

async function removeIfPresent(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Writes the partition's group file from its etc/run and etc/service (removes
 * it when both are empty) and applies the change to supervisord.
 */
export async function writePartitionGroup(layout: SupervisordLayout, client: SupervisordClient, group: PartitionGroup, logger: Logger): Promise<void> {
  const programs = await listPartitionPrograms(group.partitionPath);
  const path = groupConfigPath(layout, group.partitionId);
  let changed: boolean;
  if (programs.length === 0) {
    logger.warn('No runners nor services found for partition', { partition: group.partitionId });
    changed = await removeIfPresent(path);
  } else {
    changed = await updateFile(path, renderPartitionGroupConfig({ ...group, programs }), 0o600);
  }
  if (changed) await updateSupervisor(client, logger);
}

/**
 * Starts every process of the partition's group that is not running. A
 * program supervisord cannot start (not executable, missing, spawn error)
 * makes this throw GRID_ERR_SUPERVISORD_START naming it.
 */
export async function startPartitionGroup(client: SupervisordClient, partitionId: string, logger: Logger): Promise<void> {
  let results;
  try {
    results = await client.startProcessGroup(partitionId, false);
  } catch (error) {
    if (hasCode(error, 'GRID_ERR_SUPERVISORD_BAD_NAME')) {
      logger.info('Nothing to start', { partition: partitionId });
      return;
    }
    throw error;
  }
  const failed = results.filter((result) => result.status !== SupervisordFault.SUCCESS);
  if (failed.length > 0) {
    const lines = failed.map((result) => `${result.name}: ${result.description}`);
    throw new SupervisordError('GRID_ERR_SUPERVISORD_START', `cannot start services of ${partitionId}:\n${lines.join('\n')}`);
  }
  logger.info('Requested start', { partition: partitionId });
}

/** Stops the partition's processes: its group file is removed, so supervisord stops and forgets the group. */
export async function stopPartitionGroup(layout: SupervisordLayout, client: SupervisordClient, partitionId: string, logger: Logger): Promise<void> {
  if (await removeIfPresent(groupConfigPath(layout, partitionId))) {
    await updateSupervisor(client, logger);
    logger.info('Requested stop', { partition: partitionId });
  }
}
