import { readFile, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { hasCode, messageOf } from '../../errors/index.ts';
import { requestTransactionPath } from '../../slap/index.ts';
import type { PartitionContext, RequestTransactionPhase } from './phases.ts';

/**
 * The instances a partition's buildout requested during this run (HEAD,
 * spec node.md §5.2): the SLAP library lists their titles in
 * `.slapos-request-transaction-<id>` when buildout runs with
 * SLAPGRID_INSTANCE_ROOT; slapgrid sends the list to the master afterwards.
 */
export class RequestTransactions implements RequestTransactionPhase {
  private static path(context: PartitionContext): string {
    return requestTransactionPath(dirname(context.path), context.id);
  }

  async begin(context: PartitionContext): Promise<void> {
    await unlink(RequestTransactions.path(context)).catch(() => undefined);
  }

  async finish(context: PartitionContext): Promise<void> {
    const text = await readFile(RequestTransactions.path(context), 'utf8').catch(() => undefined);
    if (text === undefined) return;
    const titles = text.split('\n').map((line) => line.trim()).filter(Boolean);
    try {
      await context.partition.setComputerPartitionRelatedInstanceList(titles);
    } catch (error) {
      // A master without this call (0.32, a proxy) answers 404: nothing to keep in sync there.
      if (!hasCode(error, 'SLAP_ERR_NOT_FOUND')) throw error;
      context.logger.warn('the master does not keep related instance lists', { partition: context.id, reason: messageOf(error) });
    }
  }
}
