import type { Logger } from '../../log/index.ts';
import type { ComputerPartition } from '../../slap/index.ts';
import type { PromiseMode } from '../promise/index.ts';
import type { PartitionAccount } from '../supervisord/index.ts';
import type { ProcessingDecision } from './processing-decision.ts';

/** Everything the phases of one partition's processing need to know about it. */
export interface PartitionContext {
  /** `slappart0`. */
  id: string;
  /** `<instance_root>/<id>`. */
  path: string;
  requestedState: string;
  softwareReleaseUrl: string;
  /** `<software_root>/<md5 of the URL>`. */
  softwarePath: string;
  /** The timestamp the master sent for the instance, if any. */
  masterTimestamp: string | undefined;
  /** Owner of the partition directory: who buildout, services and promises run as. */
  account: PartitionAccount;
  /** The master's view of the partition, for reports. */
  partition: ComputerPartition;
  logger: Logger;
}

/** Deploys the instance: buildout.cfg and a buildout run as the partition user. */
export interface InstallPhase {
  install(context: PartitionContext): Promise<void>;
}

/** Brings the partition's services (supervisord group) to the requested state. */
export interface ServicesPhase {
  start(context: PartitionContext): Promise<void>;
  stop(context: PartitionContext): Promise<void>;
}

/**
 * Checks a started instance's promises; throws GRID_ERR_PROMISE_FAILED when
 * one fails. `test` mode (after a deployment, `slapos node promise`) runs
 * every promise now; `anomaly` mode (an up-to-date partition) reruns only
 * those due and fails a legacy promise only after repeated failures.
 */
export interface PromisePhase {
  check(context: PartitionContext, mode: PromiseMode): Promise<void>;
}

/** Remembers which master timestamp was last deployed successfully. */
export interface TimestampPhase {
  /** Whether the partition must be processed; forgets the old timestamp when it must. */
  decide(context: PartitionContext): Promise<ProcessingDecision>;
  /** Called after a successful processing. */
  record(context: PartitionContext): Promise<void>;
}

/** The instances the partition's buildout requested during this run, sent to the master. */
export interface RequestTransactionPhase {
  /** Before the deployment: forget the previous run's list. */
  begin(context: PartitionContext): Promise<void>;
  /** After the requested state is reached: send this run's list. */
  finish(context: PartitionContext): Promise<void>;
}

export interface PartitionPhases {
  install: InstallPhase;
  transactions: RequestTransactionPhase;
  services: ServicesPhase;
  promises: PromisePhase;
  timestamp: TimestampPhase;
}
