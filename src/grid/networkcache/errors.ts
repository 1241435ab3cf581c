import { SlapOSError } from '../../errors/index.ts';

/** Error codes of the binary cache client (documented in docs/errors/grid.md). */
export const NetworkcacheErrorCode = {
  /** shacache or shadir answered with an unexpected HTTP status, or could not be reached. */
  HTTP: 'GRID_ERR_NETWORKCACHE_HTTP',
  /** A downloaded file's sha512 differs from the one its shadir entry announced. */
  CHECKSUM: 'GRID_ERR_NETWORKCACHE_CHECKSUM',
  /** A shadir answer that is not the expected JSON. */
  BAD_ENTRY: 'GRID_ERR_NETWORKCACHE_ENTRY',
  /** The signature private key cannot be read or used. */
  KEY: 'GRID_ERR_NETWORKCACHE_KEY',
} as const;

export function networkcacheError(code: (typeof NetworkcacheErrorCode)[keyof typeof NetworkcacheErrorCode], message: string, cause?: unknown): SlapOSError {
  return new SlapOSError(code, message, { cause, status: 502 });
}
