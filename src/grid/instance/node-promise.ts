import { hasCode, messageOf } from '../../errors/index.ts';
import type { Logger } from '../../log/index.ts';
import { connectNodeToMaster } from '../master.ts';
import type { NodeConfig } from '../node-config.ts';
import { partitionContext, selectPartitions } from './partition-list.ts';
import { PartitionPromises } from './promise-phase.ts';
import type { PartitionFailure } from './slapgrid-instance.ts';

export interface NodePromiseOptions {
  config: NodeConfig;
  logger: Logger;
  /** `--only-cp`: check only these partitions (each must be known to the master). */
  onlyCp?: string[];
  /** Legacy promises of one partition running at once. */
  promiseConcurrency?: number;
  /** Environment the children's clean environments are made from; default this process's. */
  baseEnv?: NodeJS.ProcessEnv;
}

export interface NodePromiseResult {
  /** Ids of the partitions whose promises were checked. */
  checked: string[];
  failures: PartitionFailure[];
  /** 0 every promise passed, 2 something failed (as the original's `slapos node promise`). */
  exitCode: 0 | 2;
}

/**
 * `slapos node promise` (spec node.md §6.3): the promises of every started
 * partition, in test mode and all of them now, as after a deployment. Only
 * checks: nothing is deployed, nothing is reported to the master.
 */
export async function runSlapgridPromises(options: NodePromiseOptions): Promise<NodePromiseResult> {
  const { config, logger } = options;
  const promises = PartitionPromises.forNode(config, options.baseEnv ?? process.env, options.promiseConcurrency);
  const slap = connectNodeToMaster(config, logger);
  try {
    const partitions = selectPartitions(await slap.registerComputer(config.computerId).getComputerPartitionList(), options.onlyCp);
    const result: NodePromiseResult = { checked: [], failures: [], exitCode: 0 };
    for (const partition of partitions) {
      const id = partition.getId();
      if (partition.getState() !== 'started') continue;
      try {
        const context = await partitionContext(config, partition, logger);
        if (context === undefined) continue;
        logger.info('Checking promises', { partition: id });
        result.checked.push(id);
        await promises.check(context, 'test');
      } catch (error) {
        const promise = hasCode(error, 'GRID_ERR_PROMISE_FAILED');
        logger.error(promise ? 'Promise failed' : 'Cannot check the promises', { partition: id, code: (error as { code?: unknown }).code, reason: messageOf(error) });
        result.failures.push({ id, message: messageOf(error), promise });
      }
    }
    for (const failure of result.failures) logger.error(`${failure.id}: ${failure.message.split('\n')[0]}`);
    result.exitCode = result.failures.length > 0 ? 2 : 0;
    return result;
  } finally {
    await slap.close();
  }
}
