import { moduleErrorClass, SlapOSError } from '../../errors/index.ts';

/**
 * GRID_ERR_PROMISE_FAILED: at least one promise of a partition failed or timed
 * out; the message names each failed promise with the end of its output.
 * Callers match on `code` (docs/errors/grid.md).
 */
export class PromiseError extends SlapOSError {
  declare readonly code: 'GRID_ERR_PROMISE_FAILED';
  /** Names of the failed promises, in name order. */
  readonly failed: string[];

  constructor(message: string, failed: string[]) {
    super('GRID_ERR_PROMISE_FAILED', message, { status: 500 });
    this.name = 'PromiseError';
    this.failed = failed;
  }
}

/**
 * GRID_ERR_PROMISE_LAUNCHER: the Python promise launcher run for plugin
 * promises could not do its job (it exited non-zero but not 2, could not be
 * started, or ran past its total timeout and was killed). A processing
 * error, not a promise failure.
 */
export class PromiseLauncherError extends moduleErrorClass<'GRID_ERR_PROMISE_LAUNCHER'>('PromiseLauncherError', 500) {}
