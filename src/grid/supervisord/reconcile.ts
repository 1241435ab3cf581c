import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../log/index.ts';
import { hasCode } from '../../errors/index.ts';
import type { ConfigDiff, SupervisordClient } from './client.ts';

/** removeProcessGroup fails while a stopped process is still being reaped: retry that long. */
const REMOVE_ATTEMPTS = 10;
const REMOVE_PAUSE_MS = 500;

async function removeGroup(client: SupervisordClient, group: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.removeProcessGroup(group);
      return;
    } catch (error) {
      if (hasCode(error, 'GRID_ERR_SUPERVISORD_BAD_NAME')) return;
      if (attempt >= REMOVE_ATTEMPTS) throw error;
      await sleep(REMOVE_PAUSE_MS);
    }
  }
}

/**
 * Applies the configuration files to the running supervisord as
 * `supervisorctl update` does: rereads them and touches only the groups whose
 * files were added, changed or removed, so other partitions keep running.
 */
export async function updateSupervisor(client: SupervisordClient, logger: Logger): Promise<ConfigDiff> {
  const diff = await client.reloadConfig();
  for (const group of diff.removed) {
    await client.stopProcessGroup(group, true);
    await removeGroup(client, group);
    logger.info('supervisord group removed', { group });
  }
  for (const group of diff.changed) {
    await client.stopProcessGroup(group, true);
    await removeGroup(client, group);
    await client.addProcessGroup(group);
    logger.info('supervisord group updated', { group });
  }
  for (const group of diff.added) {
    await client.addProcessGroup(group);
    logger.info('supervisord group added', { group });
  }
  return diff;
}
