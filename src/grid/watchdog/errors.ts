import { SlapOSError } from '../../errors/index.ts';

/**
 * Errors of the watchdog (supervisord event listener). Callers match on
 * `code`; every code is listed in docs/errors/grid.md.
 */
export type WatchdogErrorCode =
  | 'GRID_ERR_WATCHDOG_PROTOCOL'
  | 'GRID_ERR_WATCHDOG_PARTITION';

export class WatchdogError extends SlapOSError {
  declare readonly code: WatchdogErrorCode;

  constructor(code: WatchdogErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { status: 500, cause: options.cause });
    this.name = 'WatchdogError';
  }
}
