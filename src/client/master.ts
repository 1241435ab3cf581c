import { Slap } from '../slap/index.ts';
import { hasCode, messageOf } from '../errors/index.ts';
import type { Logger } from '../log/index.ts';
import type { ClientConfig } from './client-config.ts';
import { ClientError, CLIENT_ERROR_CODES } from './errors.ts';

/** The original's client time-out; long, because a master may be slow to allocate. */
const DEFAULT_MASTER_TIMEOUT_MS = 60_000;

/** A SLAP connection opened as the person the client configuration names. */
export function connectToMaster(config: ClientConfig, logger: Logger, timeoutMs = DEFAULT_MASTER_TIMEOUT_MS): Slap {
  const slap = new Slap({ logger });
  slap.initializeConnection(config.masterUrl, { keyFile: config.keyFile, certFile: config.certFile, timeoutMs });
  return slap;
}

/**
 * Runs one conversation with the master, turning the SLAP library's transport
 * failures into messages that name the master, so that a person sees which
 * URL did not answer and can fix the configuration.
 */
export async function withMaster<T>(masterUrl: string, conversation: () => Promise<T>): Promise<T> {
  try {
    return await conversation();
  } catch (error) {
    if (hasCode(error, 'SLAP_ERR_CONNECTION') || hasCode(error, 'SLAP_ERR_AUTHENTICATION')) {
      throw new ClientError(CLIENT_ERROR_CODES.MASTER_UNREACHABLE, `master ${masterUrl} does not answer: ${error.message}`, { cause: error });
    }
    if (hasCode(error, 'SLAP_ERR_UNAUTHORIZED') || hasCode(error, 'SLAP_ERR_SERVER') || hasCode(error, 'SLAP_ERR_UNEXPECTED_RESPONSE')) {
      throw new ClientError(CLIENT_ERROR_CODES.MASTER_REFUSED, `master ${masterUrl}: ${messageOf(error)}`, { cause: error });
    }
    throw error;
  }
}
