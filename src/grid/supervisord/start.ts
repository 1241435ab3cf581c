import type { Logger } from '../../log/index.ts';
import { ensureSupervisord, type RunningSupervisord } from './launch.ts';
import { prepareSupervisordLayout, type SupervisordLayout } from './layout.ts';
import { updateSupervisor } from './reconcile.ts';

export interface StartSupervisordOptions {
  logger: Logger;
  /** The watchdog event listener's command; none = no listener. */
  watchdogCommand?: string;
  supervisordBinary?: string;
  forbidLaunch?: boolean;
}

/**
 * What every slapgrid command does first: the instance root's layout and
 * supervisord.conf up to date, and a supervisord running that has applied
 * them (a running one rereads its main file only when told).
 */
export async function startSupervisord(layout: SupervisordLayout, options: StartSupervisordOptions): Promise<RunningSupervisord> {
  const changed = await prepareSupervisordLayout(layout, options.watchdogCommand === undefined ? {} : { watchdogCommand: options.watchdogCommand });
  const running = await ensureSupervisord(layout, {
    logger: options.logger,
    ...(options.supervisordBinary === undefined ? {} : { supervisordBinary: options.supervisordBinary }),
    ...(options.forbidLaunch === undefined ? {} : { forbidLaunch: options.forbidLaunch }),
  });
  if (changed && !running.launched) await updateSupervisor(running.client, options.logger);
  return running;
}
