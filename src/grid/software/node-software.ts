import { statSync } from 'node:fs';
import { createBuildoutRunner, type BuildoutRunner } from '../../buildout/runner/index.ts';
import type { Logger } from '../../log/index.ts';
import type { Slap } from '../../slap/index.ts';
import { connectNodeToMaster } from '../master.ts';
import { acquirePidLock } from '../lock.ts';
import { sleepMaximalDelay } from '../maximal-delay.ts';
import type { NodeConfig } from '../node-config.ts';
import { runChild } from '../spawn.ts';
import { prepareSupervisordLayout, supervisordLayout } from '../supervisord/index.ts';
import { SoftwareErrorCode, softwareError } from './errors.ts';
import { processSoftwareReleaseList, type SoftwareProgressEvent, type SoftwareRunSummary } from './run.ts';

export interface NodeSoftwareOptions {
  config: NodeConfig;
  logger: Logger;
  /** --develop / --all */
  develop?: boolean;
  /** --only-sr (URLs or md5 hashes) */
  onlySr?: readonly string[];
  /** --now: skip the random initial sleep of maximal_delay. */
  now?: boolean;
  /** Defaults to the runner slapos.cfg asks for (external zc.buildout or built-in). */
  runner?: BuildoutRunner;
  onProgress?: (event: SoftwareProgressEvent) => void;
  signal?: AbortSignal;
  /** Random source for the initial sleep (tests). */
  random?: () => number;
}

/**
 * `slapos node software`: take the software lock, sleep up to maximal_delay
 * unless --now, prepare instance_root's layout (supervisord.conf, but
 * supervisord is not started), ask the master for this computer's software releases and
 * install or destroy each of them.
 */
export async function runNodeSoftware(options: NodeSoftwareOptions): Promise<SoftwareRunSummary> {
  const { config, logger } = options;
  assertDirectory(config.softwareRoot);
  const lock = config.pidfile ? acquirePidLock(config.pidfile, { logger }) : undefined;
  let slap: Slap | undefined;
  try {
    await sleepMaximalDelay({ maximalDelay: config.maximalDelay, now: options.now, logger, signal: options.signal, random: options.random });
    // as the original, every slapgrid command keeps instance_root's layout and supervisord.conf current
    await prepareSupervisordLayout(supervisordLayout(config.instanceRoot, { socketPath: config.supervisordSocket, configPath: config.supervisordConfigurationPath }));
    slap = connectNodeToMaster(config, logger);
    const releases = await slap.registerComputer(config.computerId).getSoftwareReleaseList();
    logger.info(`Processing ${releases.length} software release(s)`, { computer: config.computerId });
    const runner = options.runner ?? createBuildoutRunner({ buildout: config.buildout }, runChild);
    return await processSoftwareReleaseList({
      config, logger, runner, develop: options.develop, onlySr: options.onlySr, onProgress: options.onProgress, signal: options.signal,
    }, releases);
  } finally {
    await slap?.close();
    lock?.release();
  }
}

function assertDirectory(path: string): void {
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    // reported below
  }
  if (!isDirectory) throw softwareError(SoftwareErrorCode.ROOT_MISSING, `${path} does not exist.`);
}
