import { moduleErrorClass } from '../errors/index.ts';

/**
 * Error codes of slapformat (documented in docs/errors/format.md). Callers
 * match on `code`. Every message names the option, file, interface or
 * command at fault, because the operator is the one who fixes it.
 */
export const FormatErrorCode = {
  /** slapos.cfg lacks [slapformat] or an option, or a value is unusable. */
  CONFIG: 'FORMAT_ERR_CONFIG',
  /** Users or network would be altered but the process is not root. */
  NOT_ROOT: 'FORMAT_ERR_NOT_ROOT',
  /** A configured network interface does not exist. */
  INTERFACE: 'FORMAT_ERR_INTERFACE',
  /** No global IPv6 address to build partition addresses from. */
  NO_IPV6: 'FORMAT_ERR_NO_IPV6',
  /** No free address left, or the kernel refused an address (duplicate). */
  ADDRESS: 'FORMAT_ERR_ADDRESS',
  /** partition_amount is lower than the partitions already defined. */
  SHRINK: 'FORMAT_ERR_SHRINK',
  /** The stored computer file or a definition file is unreadable or malformed. */
  DEFINITION: 'FORMAT_ERR_DEFINITION',
  /** A path slapformat must make a directory is something else. */
  PATH: 'FORMAT_ERR_PATH',
  /** An external command (ip, useradd...) failed. */
  COMMAND: 'FORMAT_ERR_COMMAND',
  /** The master does not know this computer (404). */
  NOT_REGISTERED: 'FORMAT_ERR_NOT_REGISTERED',
  /** The machine is formatted but the master could not be told. */
  REPORT: 'FORMAT_ERR_REPORT',
} as const;

export type FormatErrorCode = (typeof FormatErrorCode)[keyof typeof FormatErrorCode];

export class FormatError extends moduleErrorClass<FormatErrorCode>('FormatError', 500) {}

/** A [slapformat]/[slapos] option (or its command-line twin) has an unusable value. */
export function optionError(option: string, message: string): FormatError {
  return new FormatError(FormatErrorCode.CONFIG, `option '${option}': ${message}`);
}
