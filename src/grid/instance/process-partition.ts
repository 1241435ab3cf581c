import { messageOf } from '../../errors/index.ts';
import { checkPromiseAnomaly, forgetReportedAnomaly } from './anomaly-check.ts';
import { InstanceError } from './errors.ts';
import type { PartitionContext, PartitionPhases } from './phases.ts';

/** What processing did to a partition. */
export type PartitionOutcome = 'started' | 'stopped' | 'destroyed' | 'up-to-date';

export interface ProcessPartitionOptions {
  /**
   * supervisord was (re)started by this run, so even an up-to-date started
   * partition has no process running: start its services again.
   */
  resumeServices?: boolean;
  /** Where partition certificates are kept: refreshed before the anomaly check reports to the master. */
  certificateRepositoryPath?: string;
  /**
   * `--force-stop`: a partition requested started is deployed but its
   * services are stopped, whatever its timestamp; no promise runs, nothing
   * but the transaction list is reported, and the timestamp is left as it
   * was (the next ordinary run finds it as before).
   */
  forceStop?: boolean;
}

/**
 * One partition (spec node.md §5.2): unless up to date, deploy it and bring
 * it to the requested state, report that state, then remember the master's
 * timestamp. An up-to-date started partition gets the promise anomaly check
 * instead. Any failure propagates; the caller reports it.
 */
export async function processPartition(context: PartitionContext, phases: PartitionPhases, options: ProcessPartitionOptions = {}): Promise<PartitionOutcome> {
  const { logger } = context;
  const forceStop = options.forceStop === true && context.requestedState === 'started';
  const decision = forceStop ? { process: true, reason: 'force-stop' } as const : await phases.timestamp.decide(context);
  if (!decision.process) {
    logger.info('Partition already up-to-date, skipping.', { partition: context.id });
    if (context.requestedState === 'started') {
      if (options.resumeServices) await phases.services.start(context);
      await checkPromiseAnomaly(context, phases.promises, options.certificateRepositoryPath);
    }
    return 'up-to-date';
  }
  logger.info('Processing partition', { partition: context.id, state: context.requestedState, reason: decision.reason });
  let outcome: PartitionOutcome;
  switch (context.requestedState) {
    case 'started':
      await phases.transactions.begin(context);
      await phases.install.install(context);
      if (forceStop) {
        await phases.services.stop(context);
        await phases.transactions.finish(context);
        return 'stopped';
      }
      await phases.services.start(context);
      await phases.promises.check(context, 'test');
      await context.partition.started();
      await forgetReportedAnomaly(context.path);
      await phases.transactions.finish(context);
      outcome = 'started';
      break;
    case 'stopped':
      await phases.transactions.begin(context);
      try {
        await phases.install.install(context);
      } finally {
        // Even a failed deployment must not leave the services running.
        await phases.services.stop(context);
      }
      await context.partition.stopped();
      await phases.transactions.finish(context);
      outcome = 'stopped';
      break;
    case 'destroyed':
      // Destruction itself belongs to `slapos node report`; here the services only stop.
      await phases.services.stop(context);
      await context.partition.stopped().catch((error: unknown) => {
        logger.warn('cannot report the stopped state', { partition: context.id, reason: messageOf(error) });
      });
      outcome = 'destroyed';
      break;
    default:
      throw new InstanceError('GRID_ERR_UNSUPPORTED_STATE', `Computer Partition '${context.id}' has unsupported state: ${context.requestedState}`);
  }
  await phases.timestamp.record(context);
  return outcome;
}
