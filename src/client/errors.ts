import { moduleErrorClass } from '../errors/index.ts';

/**
 * Every error code the client module raises on purpose. Callers (the CLI,
 * tests) match on `code`; docs/errors/client.md lists each one.
 */
export const CLIENT_ERROR_CODES = {
  /** The client configuration file does not exist or cannot be read. */
  CONFIG_NOT_FOUND: 'CLIENT_ERR_CONFIG_NOT_FOUND',
  /** The client configuration lacks an option or holds a bad value. */
  CONFIG_INVALID: 'CLIENT_ERR_CONFIG_INVALID',
  /** A `KEY=VALUE` argument is malformed or repeats a key. */
  KEY_VALUE: 'CLIENT_ERR_KEY_VALUE',
  /** A `--parameters-file` cannot be read or is not a JSON/XML parameter document. */
  PARAMETERS_FILE: 'CLIENT_ERR_PARAMETERS_FILE',
  /** A software release is neither a URL, an absolute path nor a known alias. */
  SOFTWARE_URL: 'CLIENT_ERR_SOFTWARE_URL',
  /** A command-line value is out of range or of the wrong form. */
  INVALID_OPTION: 'CLIENT_ERR_INVALID_OPTION',
  /** The master (or a web service of it) does not answer. */
  MASTER_UNREACHABLE: 'CLIENT_ERR_MASTER_UNREACHABLE',
  /** The master answered with a refusal or something unexpected. */
  MASTER_REFUSED: 'CLIENT_ERR_MASTER_REFUSED',
  /** The instance or computer asked about is not known to the master. */
  NOT_FOUND: 'CLIENT_ERR_NOT_FOUND',
  /** A file that would be written already exists. */
  ALREADY_CONFIGURED: 'CLIENT_ERR_ALREADY_CONFIGURED',
  /** The binary cache cannot be asked (no URL configured, not reachable, bad answer). */
  CACHE_LOOKUP: 'CLIENT_ERR_CACHE_LOOKUP',
  /** A console script cannot be read. */
  CONSOLE_SCRIPT: 'CLIENT_ERR_CONSOLE_SCRIPT',
} as const;

export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[keyof typeof CLIENT_ERROR_CODES];

/** An error the user of the `slapos` client commands can act on. */
export class ClientError extends moduleErrorClass<ClientErrorCode>('ClientError', 400) {}
