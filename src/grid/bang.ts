import type { Logger } from '../log/index.ts';
import { connectNodeToMaster } from './master.ts';

/** What a computer bang needs from slapos.cfg (`[slapos]`). */
export interface ComputerBangOptions {
  masterUrl: string;
  computerId: string;
  keyFile?: string;
  certFile?: string;
  masterCaFile?: string;
  message: string;
  logger: Logger;
}

/**
 * `slapos node bang` (spec node.md §8.2): tells the master that something
 * happened to the whole computer (a reboot, a repair), so that it has every
 * partition of the computer reprocessed.
 */
export async function bangComputer(options: ComputerBangOptions): Promise<void> {
  const slap = connectNodeToMaster(options, options.logger);
  try {
    await slap.registerComputer(options.computerId).bang(options.message);
  } finally {
    await slap.close();
  }
}
