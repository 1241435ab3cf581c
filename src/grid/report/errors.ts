import { moduleErrorClass } from '../../errors/index.ts';

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

export class ReportError extends moduleErrorClass<ReportErrorCode>('ReportError', 500) {}
