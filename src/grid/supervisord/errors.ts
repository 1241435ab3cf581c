import { SlapOSError } from '../../errors/index.ts';

/**
 * Errors of the supervisord control. Callers match on `code`; every code is
 * listed in docs/errors/grid.md.
 */
export type SupervisordErrorCode =
  | 'GRID_ERR_SUPERVISORD_UNREACHABLE'
  | 'GRID_ERR_SUPERVISORD_PROTOCOL'
  | 'GRID_ERR_SUPERVISORD_FAULT'
  | 'GRID_ERR_SUPERVISORD_BAD_NAME'
  | 'GRID_ERR_SUPERVISORD_SHUTTING_DOWN'
  | 'GRID_ERR_SUPERVISORD_LAUNCH'
  | 'GRID_ERR_SUPERVISORD_LAYOUT'
  | 'GRID_ERR_SUPERVISORD_CONFIG_VALUE'
  | 'GRID_ERR_SUPERVISORD_START';

export class SupervisordError extends SlapOSError {
  declare readonly code: SupervisordErrorCode;
  /** The XML-RPC fault code when supervisord answered with a fault. */
  readonly faultCode: number | undefined;

  constructor(code: SupervisordErrorCode, message: string, options: { faultCode?: number; cause?: unknown } = {}) {
    super(code, message, { status: 500, cause: options.cause });
    this.name = 'SupervisordError';
    this.faultCode = options.faultCode;
  }
}

/** supervisord's fault codes (supervisor/xmlrpc.py `Faults`) that slapgrid reacts to. */
export const SupervisordFault = {
  SHUTDOWN_STATE: 6,
  BAD_NAME: 10,
  NO_FILE: 20,
  NOT_EXECUTABLE: 21,
  SPAWN_ERROR: 50,
  ALREADY_STARTED: 60,
  NOT_RUNNING: 70,
  SUCCESS: 80,
  ALREADY_ADDED: 90,
  STILL_RUNNING: 91,
} as const;

/**
 * The one place where an XML-RPC fault becomes a typed error: BAD_NAME and
 * SHUTDOWN_STATE get their own codes because slapgrid acts on them.
 */
export function faultToError(method: string, faultCode: number, faultString: string): SupervisordError {
  const message = `supervisord ${method}: ${faultString}`;
  switch (faultCode) {
    case SupervisordFault.BAD_NAME:
      return new SupervisordError('GRID_ERR_SUPERVISORD_BAD_NAME', message, { faultCode });
    case SupervisordFault.SHUTDOWN_STATE:
      return new SupervisordError('GRID_ERR_SUPERVISORD_SHUTTING_DOWN', message, { faultCode });
    default:
      return new SupervisordError('GRID_ERR_SUPERVISORD_FAULT', message, { faultCode });
  }
}
