import { moduleErrorClass } from '../../errors/index.ts';

/**
 * Errors of `slapos node instance`. Callers match on `code`; every code is
 * listed in docs/errors/grid.md.
 */
export type InstanceErrorCode =
  | 'GRID_ERR_PARTITION_DIRECTORY'
  | 'GRID_ERR_SOFTWARE_NOT_INSTALLED'
  | 'GRID_ERR_BUILDOUT_FAILED'
  | 'GRID_ERR_BUILDOUT_VALUE'
  | 'GRID_ERR_UNSUPPORTED_STATE'
  | 'GRID_ERR_UNKNOWN_PARTITION'
  | 'GRID_ERR_PARTITION_CERTIFICATE';

export class InstanceError extends moduleErrorClass<InstanceErrorCode>('InstanceError', 500) {}
