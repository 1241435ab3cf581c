import { access, appendFile, writeFile, constants } from 'node:fs/promises';
import { join } from 'node:path';
import type { SlapConnection } from './connection.ts';

/**
 * The request transaction file of a partition,
 * `<instance root>/<partition>/.slapos-request-transaction-<partition>`: one
 * line per instance title the partition's buildout requested during this run.
 * slapgrid creates the run's file empty, reads it afterwards and destroys the
 * instances the partition no longer requests. Nothing is recorded outside an
 * instance's buildout (no instance root).
 *
 * Failures are only logged: requesting must not fail because the file could
 * not be written (the Python client ignores them too).
 */
export function requestTransactionPath(instanceRoot: string, partitionId: string): string {
  return join(instanceRoot, partitionId, `.slapos-request-transaction-${partitionId}`);
}

/** Creates the partition's file, empty, if it does not exist yet. */
export async function openRequestTransaction(connection: SlapConnection, partitionId: string): Promise<void> {
  if (connection.instanceRoot === undefined) return;
  const path = requestTransactionPath(connection.instanceRoot, partitionId);
  try {
    await access(join(connection.instanceRoot, partitionId), constants.W_OK);
    await writeFile(path, '', { flag: 'a' });
  } catch (error) {
    connection.logger.debug('request transaction file not created', { path, reason: (error as Error).message });
  }
}

/** Appends a requested instance title. */
export async function recordRequest(connection: SlapConnection, partitionId: string, title: string): Promise<void> {
  if (connection.instanceRoot === undefined) return;
  const path = requestTransactionPath(connection.instanceRoot, partitionId);
  try {
    await appendFile(path, `${title}\n`);
  } catch (error) {
    connection.logger.debug('request not recorded in the transaction file', { path, reason: (error as Error).message });
  }
}
