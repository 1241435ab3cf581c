import { SlapOSError } from '../../errors/index.ts';

/**
 * Errors of `slapos node report` (usage reports and partition destruction).
 * Callers match on `code`; every code is listed in docs/errors/grid.md.
 */
export type ReportErrorCode =
  | 'GRID_ERR_DESTROY_SCRIPT_FAILED'
  | 'GRID_ERR_PARTITION_CLEANUP'
  | 'GRID_ERR_REPORT_SCRIPT_FAILED'
  | 'GRID_ERR_USAGE_INVALID'
  | 'GRID_ERR_USAGE_NOT_SENT';

export class ReportError extends SlapOSError {
  declare readonly code: ReportErrorCode;

  constructor(code: ReportErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { status: 500, cause: options.cause });
    this.name = 'ReportError';
  }
}
