import { networkInterfaces } from 'node:os';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log/index.ts';
import { isGlobalScope } from '../format/ip.ts';
import { runChild } from './spawn.ts';

/** Status of `slapos node format` when the node is formatted but the master was not told (1.x's offline success). */
const FORMAT_OFFLINE = 2;

/** Seconds between tries, as the original (tests shorten them). */
export interface BootPauses {
  /** Between looks for a global IPv6 address on the interface. */
  ipv6: number;
  /** After a failed format or bang. */
  retry: number;
  /** Between pings of an unreachable master. */
  ping: number;
}

const ORIGINAL_PAUSES: BootPauses = { ipv6: 5, retry: 15, ping: 5 };

export interface BootOptions {
  /** The slapos.cfg handed to the format and bang runs. */
  configPath: string;
  instanceRoot: string;
  /** Partition directories are `<instance_root>/<partition_base_name>*`. */
  partitionBaseName: string;
  masterUrl: string;
  /** Wait for a global IPv6 address here first (`ipv6_interface`, else `interface_name`); none = do not wait. */
  ipv6Interface?: string;
  /** The bang message (`-m`). */
  message: string;
  /** argv prefix running this `slapos` command. */
  slapos: string[];
  env: NodeJS.ProcessEnv;
  logger: Logger;
  pauses?: BootPauses;
}

function hasGlobalIpv6(name: string): boolean {
  return (networkInterfaces()[name] ?? []).some((address) => address.family === 'IPv6' && isGlobalScope(address.address));
}

/** Runs a `slapos` command as a child, its output going to the log; resolves with its exit status. */
async function slapos(options: BootOptions, args: string[]): Promise<number> {
  const [command, ...prefix] = options.slapos;
  const result = await runChild({
    command: command!, args: [...prefix, ...args], cwd: '/', env: options.env,
    onLine: (line) => options.logger.info(line, { source: `slapos ${args.slice(0, 2).join(' ')}` }),
  });
  return result.exitCode ?? 1;
}

async function masterReachable(options: BootOptions, host: string): Promise<boolean> {
  try {
    return (await runChild({ command: 'ping', args: ['-c', '2', host], cwd: '/', env: options.env })).ok;
  } catch {
    return false;
  }
}

/**
 * `slapos node boot` (spec node.md §8.4), run when the machine starts: waits
 * for the network, formats the node until the master has heard of it, bangs
 * the computer (every partition is reprocessed) and forgets every
 * partition's `.timestamp`, so that the next `node instance` redeploys all.
 */
export async function bootNode(options: BootOptions): Promise<void> {
  const { logger } = options;
  const pauses = options.pauses ?? ORIGINAL_PAUSES;
  if (options.ipv6Interface !== undefined) {
    logger.info('[BOOT] Checking for a global IPv6 address', { interface: options.ipv6Interface });
    while (!hasGlobalIpv6(options.ipv6Interface)) {
      logger.error(`[BOOT] No IPv6 found on interface ${options.ipv6Interface}, try again in ${pauses.ipv6} seconds...`);
      await sleep(pauses.ipv6 * 1000);
    }
  }
  const masterHost = new URL(options.masterUrl).hostname.replace(/^\[(.*)\]$/, '$1');
  for (;;) {
    logger.info('[BOOT] Invoking slapos node format...');
    const status = await slapos(options, ['node', 'format', '--cfg', options.configPath, '--now']);
    if (status === 0) break;
    if (status === FORMAT_OFFLINE) {
      logger.error('[BOOT] Fail to post format information, try again when connection to master is up...');
      await sleep(pauses.retry * 1000);
      while (!(await masterReachable(options, masterHost))) {
        logger.error(`[BOOT] Master ${masterHost} unreachable, try again in ${pauses.ping} seconds...`);
        await sleep(pauses.ping * 1000);
      }
      continue;
    }
    logger.error(`[BOOT] Fail to format, try again in ${pauses.retry} seconds...`);
    await sleep(pauses.retry * 1000);
  }
  for (;;) {
    logger.info('[BOOT] Invoking slapos node bang...');
    if (await slapos(options, ['node', 'bang', '--cfg', options.configPath, '-m', options.message]) === 0) break;
    logger.error(`[BOOT] Fail to bang, try again in ${pauses.retry} seconds...`);
    await sleep(pauses.retry * 1000);
  }
  const names = await readdir(options.instanceRoot).catch(() => [] as string[]);
  for (const name of names.filter((entry) => entry.startsWith(options.partitionBaseName)).sort()) {
    const timestamp = join(options.instanceRoot, name, '.timestamp');
    await rm(timestamp, { force: true });
    logger.info(`Removing ${timestamp}`);
  }
}
