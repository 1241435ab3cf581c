import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log/index.ts';

export interface MaximalDelayOptions {
  /** Upper bound in seconds (`maximal_delay`); 0 or less: no sleep. */
  maximalDelay: number;
  /** --now: no sleep. */
  now?: boolean;
  logger: Logger;
  signal?: AbortSignal;
  /** Random source in [0, 1) (tests). */
  random?: () => number;
}

/**
 * The original's random sleep before a slapgrid run (`maximal_delay`), so
 * that a fleet of nodes started by the same cron minute does not hit the
 * master at once.
 */
export async function sleepMaximalDelay(options: MaximalDelayOptions): Promise<void> {
  if (options.now === true || options.maximalDelay <= 0) return;
  const seconds = Math.floor(options.maximalDelay * (options.random ?? Math.random)());
  options.logger.info(`Sleeping for ${seconds} seconds. To disable this feature, use the --now option.`);
  await sleep(seconds * 1000, undefined, { signal: options.signal });
}
