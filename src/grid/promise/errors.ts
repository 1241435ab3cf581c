import { SlapOSError } from '../../errors/index.ts';

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
