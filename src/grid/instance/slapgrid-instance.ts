import type { Logger } from '../../log/index.ts';
import { hasCode, messageOf } from '../../errors/index.ts';
import { createBuildoutRunner, type BuildoutRunner } from '../../buildout/runner/index.ts';
import { connectNodeToMaster } from '../master.ts';
import type { NodeConfig } from '../node-config.ts';
import { runChild } from '../spawn.ts';
import type { ComputerPartition } from '../../slap/index.ts';
import { startSupervisord, supervisordLayout, type SupervisordClient } from '../supervisord/index.ts';
import { BuildoutInstall } from './install-phase.ts';
import { partitionContext, selectPartitions } from './partition-list.ts';
import type { PartitionPhases } from './phases.ts';
import { processPartition, type PartitionOutcome } from './process-partition.ts';
import { PartitionPromises } from './promise-phase.ts';
import { RequestTransactions } from './request-transaction-phase.ts';
import { SupervisordServices } from './services-phase.ts';
import { PartitionTimestamp } from './timestamp-phase.ts';

export interface InstanceRunOptions {
  config: NodeConfig;
  logger: Logger;
  /** Process partitions even when up to date (`--force`, `--all`, `--develop`). */
  force?: boolean;
  /** `--force-stop`: deploy partitions requested started but keep their services stopped (see processPartition). */
  forceStop?: boolean;
  /** `--only-cp`: process only these partitions (each must be known to the master). */
  onlyCp?: string[];
  promiseConcurrency?: number;
  /** Name or path of supervisord; default `supervisord` in PATH. */
  supervisordBinary?: string;
  forbidSupervisordLaunch?: boolean;
  /** The watchdog event listener's command line for supervisord.conf; none = no listener. */
  watchdogCommand?: string;
  /** Environment the children's clean environments are made from; default this process's. */
  baseEnv?: NodeJS.ProcessEnv;
  /** Runs buildout when a software release ships none; default from `[slapos] buildout`. */
  runner?: BuildoutRunner;
}

export interface PartitionFailure {
  id: string;
  message: string;
  /** Only promises failed: the instance is deployed but not working. */
  promise: boolean;
}

export interface InstanceRunResult {
  outcomes: Record<string, PartitionOutcome | 'left alone'>;
  failures: PartitionFailure[];
  /**
   * 0 success, 1 a partition failed, 2 only promises failed, 3 the master
   * could not be reached and the services were started offline (as 1.x).
   */
  exitCode: 0 | 1 | 2 | 3;
}

/**
 * 1.x's offline mode (spec node.md §5.1): when the master cannot be reached,
 * a rebooted node still gets its services back. Every program supervisord
 * knows is started; stopped partitions have no group there, so they stay
 * stopped.
 */
async function startServicesOffline(client: SupervisordClient, reason: string, logger: Logger): Promise<InstanceRunResult> {
  logger.warn('The master cannot be reached: processing computer partitions offline (starting every service supervisord knows)', { reason });
  const result: InstanceRunResult = { outcomes: {}, failures: [], exitCode: 3 };
  try {
    await client.startAllProcesses(false);
  } catch (error) {
    logger.error('Error in offline mode while starting partitions', { reason: messageOf(error) });
    result.exitCode = 1;
  }
  return result;
}

/** Rejects options that make no sense, naming the option, before anything runs. */
function checkOptions(options: InstanceRunOptions): void {
  const { promiseConcurrency, onlyCp } = options;
  if (promiseConcurrency !== undefined && !(Number.isInteger(promiseConcurrency) && promiseConcurrency > 0)) {
    throw new TypeError(`runSlapgridInstance: promiseConcurrency must be a positive integer, got ${promiseConcurrency}`);
  }
  if (onlyCp !== undefined && onlyCp.some((id) => typeof id !== 'string' || id === '')) {
    throw new TypeError('runSlapgridInstance: onlyCp must list non-empty partition ids');
  }
}

/**
 * `slapos node instance` (spec node.md §5.1): makes sure supervisord runs,
 * asks the master for this computer's partitions and processes each one in
 * its own error handler, so that one bad partition never stops the others.
 * Failures are reported to the master and summarised in the result.
 */
export async function runSlapgridInstance(options: InstanceRunOptions): Promise<InstanceRunResult> {
  checkOptions(options);
  const { config, logger } = options;
  const baseEnv = options.baseEnv ?? process.env;
  const layout = supervisordLayout(config.instanceRoot, { socketPath: config.supervisordSocket, configPath: config.supervisordConfigurationPath });
  const { client, launched } = await startSupervisord(layout, {
    logger,
    ...(options.watchdogCommand === undefined ? {} : { watchdogCommand: options.watchdogCommand }),
    ...(options.supervisordBinary === undefined ? {} : { supervisordBinary: options.supervisordBinary }),
    ...(options.forbidSupervisordLaunch === undefined ? {} : { forbidLaunch: options.forbidSupervisordLaunch }),
  });

  const phases: PartitionPhases = {
    install: new BuildoutInstall({
      computerId: config.computerId,
      masterUrl: config.masterUrl,
      instanceRoot: config.instanceRoot,
      ...(config.certificateRepositoryPath === undefined ? {} : { certificateRepositoryPath: config.certificateRepositoryPath }),
      runner: options.runner ?? createBuildoutRunner({ buildout: config.buildout }, runChild),
      baseEnv,
      minFreeSpace: config.instanceMinFreeSpace,
      partitionTimeout: config.partitionTimeout,
    }),
    transactions: new RequestTransactions(),
    services: new SupervisordServices(layout, client),
    promises: PartitionPromises.forNode(config, baseEnv, options.promiseConcurrency),
    timestamp: new PartitionTimestamp({ force: options.force ?? false, maximumPeriodicity: config.maximumPeriodicity, forcePeriodicity: config.forcePeriodicity }),
  };

  const slap = connectNodeToMaster(config, logger);
  try {
    let partitions: ComputerPartition[];
    try {
      partitions = await slap.registerComputer(config.computerId).getComputerPartitionList();
    } catch (error) {
      if (!hasCode(error, 'SLAP_ERR_CONNECTION')) throw error;
      return await startServicesOffline(client, messageOf(error), logger);
    }
    const selected = selectPartitions(partitions, options.onlyCp);
    const result: InstanceRunResult = { outcomes: {}, failures: [], exitCode: 0 };
    for (const partition of selected) {
      const id = partition.getId();
      try {
        const context = await partitionContext(config, partition, logger);
        if (context === undefined) {
          result.outcomes[id] = 'left alone';
          continue;
        }
        // A supervisord started by this run runs no program: up-to-date partitions get their services back.
        result.outcomes[id] = await processPartition(context, phases, {
          resumeServices: launched,
          forceStop: options.forceStop ?? false,
          ...(config.certificateRepositoryPath === undefined ? {} : { certificateRepositoryPath: config.certificateRepositoryPath }),
        });
      } catch (error) {
        const promise = hasCode(error, 'GRID_ERR_PROMISE_FAILED');
        const message = messageOf(error);
        logger.error(promise ? 'Promise failed' : 'Partition processing failed', { partition: id, code: (error as { code?: unknown }).code, reason: message });
        result.failures.push({ id, message, promise });
        await partition.error(message, logger);
      }
    }
    for (const failure of result.failures) logger.error(`${failure.id}: ${failure.message.split('\n')[0]}`);
    result.exitCode = result.failures.some((f) => !f.promise) ? 1 : result.failures.length > 0 ? 2 : 0;
    return result;
  } finally {
    await slap.close();
  }
}
