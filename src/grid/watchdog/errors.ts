import { moduleErrorClass } from '../../errors/index.ts';

/**
 * Errors of the watchdog (supervisord event listener). Callers match on
 * `code`; every code is listed in docs/errors/grid.md.
 */
export type WatchdogErrorCode =
  | 'GRID_ERR_WATCHDOG_PROTOCOL'
  | 'GRID_ERR_WATCHDOG_PARTITION';

export class WatchdogError extends moduleErrorClass<WatchdogErrorCode>('WatchdogError', 500) {}
