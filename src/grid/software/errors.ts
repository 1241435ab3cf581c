import { SlapOSError } from '../../errors/index.ts';

/** Error codes of `slapos node software` (documented in docs/errors/grid.md). */
export const SoftwareErrorCode = {
  /** software_root (or instance_root) does not exist; slapformat creates them. */
  ROOT_MISSING: 'GRID_ERR_SOFTWARE_ROOT_MISSING',
  /** buildout exited non-zero; the message carries the end of its output. */
  BUILDOUT_FAILED: 'GRID_ERR_BUILDOUT_FAILED',
  /** A software release URL that cannot be written into buildout.cfg. */
  BAD_URL: 'GRID_ERR_SOFTWARE_URL',
  /** Removing a destroyed software release failed. */
  DESTROY_FAILED: 'GRID_ERR_SOFTWARE_DESTROY',
  /** A binary-cache archive is not a tarball of `<hash>/`. */
  BAD_ARCHIVE: 'GRID_ERR_SOFTWARE_ARCHIVE',
} as const;

export function softwareError(code: (typeof SoftwareErrorCode)[keyof typeof SoftwareErrorCode], message: string, cause?: unknown): SlapOSError {
  return new SlapOSError(code, message, { cause });
}
