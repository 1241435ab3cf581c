import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../log/index.ts';
import { hasCode, messageOf } from '../../errors/index.ts';
import type { Computer, ComputerPartition } from '../../slap/index.ts';
import { connectNodeToMaster } from '../master.ts';
import { InstanceError } from '../instance/errors.ts';
import type { NodeConfig } from '../node-config.ts';
import { lookupUser } from '../spawn.ts';
import { startSupervisord, supervisordLayout, type SupervisordClient, type SupervisordLayout } from '../supervisord/index.ts';
import { renderJournal } from './consumption.ts';
import { destroyPartition, removePartitionGroups } from './destroy.ts';
import { ReportError } from './errors.ts';
import { collectComputerJournals, collectUsage, deleteSentUsage, runReportScripts, type UsagePartition } from './usage.ts';

export interface ReportRunOptions {
  config: NodeConfig;
  logger: Logger;
  /** The watchdog event listener's command line for supervisord.conf; no listener without it. */
  watchdogCommand?: string;
  /** Name or path of supervisord; default `supervisord` in PATH. */
  supervisordBinary?: string;
  /** Environment the children's clean environments are made from; default this process's. */
  baseEnv?: NodeJS.ProcessEnv;
  now?: () => Date;
}

export interface ReportRunResult {
  /** Partitions emptied, and reported destroyed so the master frees them. */
  destroyed: string[];
  /** Partitions a retention lock keeps for now. */
  retained: string[];
  /** Whether a usage journal reached the master. */
  usageSent: boolean;
  failures: Array<{ id: string; message: string }>;
  /** 0 clean, 1 anything failed (the next run does the rest). */
  exitCode: 0 | 1;
}

/** A partition the report works on: allocated (or still to be destroyed), with its directory. */
interface ReportPartition extends UsagePartition {
  partition: ComputerPartition;
  state: string;
}

/** Left in a free partition by concurrent runs; removed rather than warned about. */
const FREE_PARTITION_GARBAGE = ['.slapgrid', '.timestamp'];
/** Written by slapformat into every partition. */
const FORMAT_FILE = '.slapos-resource';

function hasSoftwareRelease(partition: ComputerPartition): boolean {
  try {
    return partition.getSoftwareRelease().getURI() !== '';
  } catch (error) {
    if (hasCode(error, 'SLAP_ERR_NOT_FOUND')) return false;
    throw error;
  }
}

/**
 * `slapos node report` (spec node.md §7): runs the instances' usage scripts,
 * sends their usage to the master in one journal, and destroys the instances
 * the master wants destroyed, reporting each partition destroyed once it is
 * empty so the master frees it. Each partition is handled in its own error
 * handler; whatever fails is retried by the next run, nothing is lost (usage
 * documents are deleted only once the master has them).
 */
export async function runSlapgridReport(options: ReportRunOptions): Promise<ReportRunResult> {
  const { config, logger } = options;
  const now = options.now ?? (() => new Date());
  const baseEnv = options.baseEnv ?? process.env;
  const layout = supervisordLayout(config.instanceRoot, { socketPath: config.supervisordSocket, configPath: config.supervisordConfigurationPath });
  const { client } = await startSupervisord(layout, {
    logger,
    ...(options.watchdogCommand === undefined ? {} : { watchdogCommand: options.watchdogCommand }),
    ...(options.supervisordBinary === undefined ? {} : { supervisordBinary: options.supervisordBinary }),
  });

  const slap = connectNodeToMaster(config, logger);
  const result: ReportRunResult = { destroyed: [], retained: [], usageSent: false, failures: [], exitCode: 0 };
  const fail = async (partition: ComputerPartition, error: unknown): Promise<void> => {
    const message = messageOf(error);
    logger.error('Partition report failed', { partition: partition.getId(), code: (error as { code?: unknown }).code, reason: message });
    result.failures.push({ id: partition.getId(), message });
    await partition.error(message, logger);
  };
  try {
    const computer = slap.registerComputer(config.computerId);
    const partitions: ReportPartition[] = [];
    for (const partition of await computer.getComputerPartitionList()) {
      try {
        const selected = await selectPartition(config, partition, logger);
        if (selected) partitions.push(selected);
      } catch (error) {
        await fail(partition, error);
      }
    }

    logger.info('Aggregating and sending usage reports...');
    for (const partition of partitions) {
      try {
        await runReportScripts(partition, baseEnv);
      } catch (error) {
        await fail(partition.partition, error);
      }
    }
    const usageIssues = await sendUsage(computer, partitions, config, now(), logger, fail);
    result.usageSent = usageIssues.sent;

    const destruction: DestructionContext = { config, layout, client, baseEnv, nowSeconds: now().getTime() / 1000 };
    for (const partition of partitions.filter((p) => p.state === 'destroyed')) {
      if (usageIssues.failed.has(partition.id)) {
        partition.logger.info('Not destroying yet: its usage could not be sent', { partition: partition.id });
        continue;
      }
      try {
        const outcome = await destroyAndReport(partition, destruction);
        result[outcome].push(partition.id);
      } catch (error) {
        await fail(partition.partition, error);
      }
    }
    logger.info('Finished usage reports.');
    result.exitCode = result.failures.length > 0 ? 1 : 0;
    return result;
  } finally {
    await slap.close();
  }
}

interface DestructionContext {
  config: NodeConfig;
  layout: SupervisordLayout;
  client: SupervisordClient;
  baseEnv: NodeJS.ProcessEnv;
  nowSeconds: number;
}

/**
 * One partition the master wants destroyed (spec node.md §7 step 6): its
 * services stop, `stopped` is reported, the partition is emptied and then
 * reported `destroyed` so the master frees it. A master answering 404 or a
 * server error to that last report is only logged, as in the original: the
 * partition stays requested destroyed and the next run reports it again.
 */
async function destroyAndReport(partition: ReportPartition, context: DestructionContext): Promise<'destroyed' | 'retained'> {
  const { id, logger } = partition;
  await removePartitionGroups(context.layout, context.client, id, logger);
  await partition.partition.stopped().catch((error: unknown) => {
    logger.debug('cannot report the stopped state', { partition: id, reason: messageOf(error) });
  });
  const outcome = await destroyPartition({
    id, path: partition.path, account: partition.account, layout: context.layout, client: context.client,
    baseEnv: context.baseEnv, logger, nowSeconds: context.nowSeconds,
    ...(context.config.certificateRepositoryPath === undefined ? {} : { certificateRepositoryPath: context.config.certificateRepositoryPath }),
  });
  if (outcome === 'retained') return outcome;
  try {
    await partition.partition.destroyed();
  } catch (error) {
    if (!hasCode(error, 'SLAP_ERR_NOT_FOUND') && !hasCode(error, 'SLAP_ERR_SERVER')) throw error;
    logger.warn('The master did not take the destroyed report; sent again next run', { partition: id, reason: messageOf(error) });
  }
  return 'destroyed';
}

/**
 * The partition if the report has work there, undefined for a free one
 * (whose leftovers of concurrent runs are removed). A missing partition
 * directory is an error.
 */
async function selectPartition(config: NodeConfig, partition: ComputerPartition, logger: Logger): Promise<ReportPartition | undefined> {
  const id = partition.getId();
  const path = join(config.instanceRoot, id);
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory()) throw new InstanceError('GRID_ERR_PARTITION_DIRECTORY', `Partition directory ${path} does not exist.`);
  const state = partition.getState();
  if (state === 'destroyed' && !hasSoftwareRelease(partition)) {
    for (const name of FREE_PARTITION_GARBAGE) await rm(join(path, name), { recursive: true, force: true });
    const left = (await readdir(path)).filter((name) => name !== FORMAT_FILE);
    if (left.length > 0) logger.warn('Free partition contains file(s)', { partition: id, path, files: left });
    return undefined;
  }
  const user = await lookupUser(info.uid);
  return {
    id, path, state, partition,
    account: { uid: info.uid, gid: info.gid, name: user.name, home: user.home },
    logger: logger.child({ partition: id }),
  };
}

/**
 * Sends the journals instances prepared for the whole computer as they are,
 * then the partitions' usage documents in one journal; nothing is sent when
 * there is no usage. What the master did not receive stays for the next
 * run, and partitions whose usage was not sent are reported in error.
 */
async function sendUsage(
  computer: Computer,
  partitions: ReportPartition[],
  config: NodeConfig,
  now: Date,
  logger: Logger,
  fail: (partition: ComputerPartition, error: unknown) => Promise<void>,
): Promise<{ sent: boolean; failed: Set<string> }> {
  let sent = false;
  for (const journal of await collectComputerJournals(config.instanceRoot, config.computerId, logger)) {
    try {
      await computer.reportUsage(journal.xml);
    } catch (error) {
      logger.error('Cannot send a computer usage journal; kept for the next run', { path: journal.path, reason: messageOf(error) });
      continue;
    }
    await deleteSentUsage([journal.path]);
    sent = true;
  }
  const usages = [];
  const files: string[] = [];
  const senders: ReportPartition[] = [];
  for (const partition of partitions) {
    const collected = await collectUsage(partition, config.instanceRoot);
    if (collected.usages.length === 0) continue;
    usages.push(...collected.usages);
    files.push(...collected.files);
    senders.push(partition);
  }
  if (usages.length === 0) return { sent, failed: new Set() };
  try {
    await computer.reportUsage(renderJournal(config.computerId, usages, now));
  } catch (error) {
    for (const partition of senders) await fail(partition.partition, new ReportError('GRID_ERR_USAGE_NOT_SENT', `Cannot report usage for ${partition.id}: ${messageOf(error)}`, { cause: error }));
    return { sent, failed: new Set(senders.map((p) => p.id)) };
  }
  logger.info('Usage sent to the master', { partitions: senders.map((p) => p.id), movements: usages.reduce((n, u) => n + u.movements.length, 0) });
  await deleteSentUsage(files);
  return { sent: true, failed: new Set() };
}
