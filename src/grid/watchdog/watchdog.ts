import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../log/index.ts';
import { hasCode, messageOf } from '../../errors/index.ts';
import { connectNodeToMaster } from '../master.ts';
import { bangAlreadySentFor, recordBang } from './bang-marker.ts';
import { WatchdogError } from './errors.ts';
import { parseTokens, readEvents, READY, RESULT_OK, type ListenerEvent } from './protocol.ts';

/** The events supervisord is configured to send the watchdog. */
const PROCESS_STATE_EVENTS = new Set(['PROCESS_STATE_EXITED', 'PROCESS_STATE_FATAL']);
/** Services (from a partition's etc/service) run under a process name with this mark; plain programs never bang. */
const WATCHDOG_MARK = '-on-watch';

export interface WatchdogOptions {
  masterUrl: string;
  computerId: string;
  /** Where partitions live; without it every exit bangs (no memory of bangs sent, as 0.32). */
  instanceRoot?: string;
  /** Partition certificates (`<id>.key`, `<id>.crt`) authenticating each bang. */
  certificateRepositoryPath?: string;
  /** The node's certificate, when there is no partition certificate. */
  keyFile?: string;
  certFile?: string;
  masterCaFile?: string;
  /** Progress and problems; never the listener's stdout, which belongs to the protocol. */
  logger: Logger;
}

/** What the watchdog did with one event. */
export type WatchdogOutcome = 'ignored' | 'banged' | 'already-banged' | 'failed';

/** A partition id as it may name a directory of the instance root. */
function checkPartitionId(id: string | undefined): string {
  if (id === undefined || id === '' || id === '.' || id === '..' || /[/\0]/.test(id)) {
    throw new WatchdogError('GRID_ERR_WATCHDOG_PARTITION', `the event's groupname ${JSON.stringify(id)} cannot be a partition id`);
  }
  return id;
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/** The certificate a bang for `partitionId` is sent with: the partition's own, else the node's. */
async function credentials(options: WatchdogOptions, partitionId: string): Promise<{ keyFile?: string; certFile?: string }> {
  if (options.certificateRepositoryPath !== undefined) {
    const keyFile = join(options.certificateRepositoryPath, `${partitionId}.key`);
    const certFile = join(options.certificateRepositoryPath, `${partitionId}.crt`);
    if ((await stat(keyFile).catch(() => undefined)) && (await stat(certFile).catch(() => undefined))) return { keyFile, certFile };
  }
  if (options.keyFile !== undefined && options.certFile !== undefined) return { keyFile: options.keyFile, certFile: options.certFile };
  return {};
}

async function bang(options: WatchdogOptions, partitionId: string, message: string): Promise<void> {
  const slap = connectNodeToMaster({ masterUrl: options.masterUrl, masterCaFile: options.masterCaFile, ...(await credentials(options, partitionId)) }, options.logger);
  try {
    // Fetched first (the original only posts): a partition the master does not know is then a clear 404, not a silent OK.
    const partition = await slap.registerComputerPartition(options.computerId, partitionId);
    await partition.bang(message);
  } finally {
    await slap.close();
  }
}

/**
 * Handles one event: a service of a partition exited (expectedly or not) or
 * could not be started → bang that partition's instance on the master, so
 * the master and the requester learn of it and slapgrid reprocesses it;
 * unless it was already banged for since its last successful deployment.
 * Never throws: a failed bang is logged and not remembered, so the next
 * exit tries again.
 */
export async function handleWatchdogEvent(event: ListenerEvent, options: WatchdogOptions): Promise<WatchdogOutcome> {
  const { logger } = options;
  const eventName = event.headers.eventname ?? '';
  if (!PROCESS_STATE_EVENTS.has(eventName)) return 'ignored';
  let partitionId: string;
  let processName: string;
  try {
    const payload = parseTokens(event.payload);
    processName = payload.processname ?? '';
    if (!processName.includes(WATCHDOG_MARK)) return 'ignored';
    partitionId = checkPartitionId(payload.groupname);
  } catch (error) {
    logger.error('Unusable process state event, ignored', { event: eventName, reason: messageOf(error) });
    return 'failed';
  }
  const partitionPath = options.instanceRoot === undefined ? undefined : join(options.instanceRoot, partitionId);
  const remembered = partitionPath !== undefined && await isDirectory(partitionPath);
  if (partitionPath !== undefined && !remembered) {
    logger.warn('No such partition directory: bang sent without remembering it', { partition: partitionId, path: partitionPath });
  }
  try {
    if (remembered && await bangAlreadySentFor(partitionPath)) {
      logger.info('Partition already banged since its last deployment', { partition: partitionId, process: processName, event: eventName });
      return 'already-banged';
    }
    await bang(options, partitionId, `${processName} process in partition ${partitionId} encountered a problem`);
    if (remembered) await recordBang(partitionPath);
  } catch (error) {
    if (hasCode(error, 'SLAP_ERR_NOT_FOUND')) {
      logger.error('Cannot bang the partition: the master does not know it', { partition: partitionId, process: processName, reason: messageOf(error) });
      return 'failed';
    }
    logger.error('Cannot bang the partition', { partition: partitionId, process: processName, code: (error as { code?: unknown }).code, reason: messageOf(error) });
    return 'failed';
  }
  logger.info('Partition banged', { partition: partitionId, process: processName, event: eventName });
  return 'banged';
}

/** Where the protocol's answers go (the listener's stdout). */
export interface ProtocolOutput {
  write(text: string): unknown;
}

/**
 * The watchdog's event loop: READY, one event, its handling, RESULT, and so
 * on until supervisord closes stdin. Every event is acknowledged, so a
 * failing master never makes supervisord resend events in a loop.
 */
export async function runWatchdog(input: AsyncIterable<Buffer | string>, output: ProtocolOutput, options: WatchdogOptions): Promise<void> {
  output.write(READY);
  for await (const event of readEvents(input)) {
    await handleWatchdogEvent(event, options);
    output.write(RESULT_OK);
    output.write(READY);
  }
}
