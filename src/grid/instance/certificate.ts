import { chown, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hasCode } from '../../errors/index.ts';
import { InstanceError } from './errors.ts';
import type { PartitionContext } from './phases.ts';

/** `<repository>/<partition>.key` and `.crt`, as named in buildout.cfg's `[slap-connection]`. */
export function partitionCertificatePaths(repository: string, partitionId: string): { keyFile: string; certFile: string } {
  return { keyFile: join(repository, `${partitionId}.key`), certFile: join(repository, `${partitionId}.crt`) };
}

/**
 * Fetches the partition's key and certificate from the master and rewrites
 * each file whose content changed (spec node.md §5.3): created 0400, owned by
 * the partition user when slapgrid is root.
 */
export async function refreshPartitionCertificate(context: PartitionContext, repository: string): Promise<void> {
  let certificate;
  try {
    certificate = await context.partition.getCertificate();
  } catch (error) {
    if (hasCode(error, 'SLAP_ERR_NOT_FOUND')) {
      throw new InstanceError('GRID_ERR_PARTITION_CERTIFICATE', `Partition ${context.id} is not known by SlapOS Master.`, { cause: error });
    }
    throw error;
  }
  const paths = partitionCertificatePaths(repository, context.id);
  for (const [path, content] of [[paths.certFile, certificate.certificate], [paths.keyFile, certificate.key]] as const) {
    const current = await readFile(path, 'utf8').catch(() => undefined);
    if (current === content) continue;
    context.logger.info(current === undefined ? 'Creating partition certificate file' : 'Updating partition certificate file', { path });
    // The file may exist read-only (0400): truncate through a fresh descriptor opened by the owner (root).
    const file = await open(path, 'w', 0o400);
    try {
      await file.writeFile(content);
      await file.chmod(0o400);
    } finally {
      await file.close();
    }
    if (process.getuid?.() === 0) await chown(path, context.account.uid, context.account.gid);
  }
}
