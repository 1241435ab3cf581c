import { moduleErrorClass } from '../errors/index.ts';

/**
 * Error codes of the SLAP client library (transport and object model),
 * documented in docs/errors/slap.md. The codec's SLAP_ERR_XML_* codes live in
 * src/slap/codec/. Callers match on `code`, never on the class.
 *
 * The status is what a server answers when one of these errors escapes one of
 * its routes (e.g. the proxy forwarding a request to another master): a
 * master's 404/408/403 pass through, other upstream failures are 502.
 */
export const SLAP_ERRORS = {
  /** The master answered 404, or an id needed to build the call is empty. */
  SLAP_ERR_NOT_FOUND: 404,
  /** The master answered 408, or the partition is not allocated yet. */
  SLAP_ERR_RESOURCE_NOT_READY: 408,
  /** The master answered 403: the caller's certificate may not touch the object. */
  SLAP_ERR_UNAUTHORIZED: 403,
  /** The master answered another non-2xx status. */
  SLAP_ERR_SERVER: 502,
  /** The master could not be reached, or did not answer in time. */
  SLAP_ERR_CONNECTION: 502,
  /** The TLS handshake failed (certificate, key or CA). */
  SLAP_ERR_AUTHENTICATION: 502,
  /** The master's answer is larger than the transport's maxResponseBytes. */
  SLAP_ERR_RESPONSE_TOO_LARGE: 502,
  /** The master answered 2xx with a document of the wrong shape. */
  SLAP_ERR_UNEXPECTED_RESPONSE: 502,
  /** initializeConnection() got a bad option (URL, timeout, TLS files). */
  SLAP_ERR_INVALID_OPTION: 500,
  /** A method got an argument it cannot use, or the object lacks what the call needs. */
  SLAP_ERR_INVALID_ARGUMENT: 500,
  /** A network method was called before initializeConnection(). */
  SLAP_ERR_NOT_CONNECTED: 500,
} as const;

export type SlapErrorCode = keyof typeof SLAP_ERRORS;

export class SlapError extends moduleErrorClass<SlapErrorCode>('SlapError', SLAP_ERRORS) {}

export function notFound(message: string): SlapError {
  return new SlapError('SLAP_ERR_NOT_FOUND', message);
}

export function notReady(message: string): SlapError {
  return new SlapError('SLAP_ERR_RESOURCE_NOT_READY', message);
}

export function unexpectedResponse(endpoint: string, why: string): SlapError {
  return new SlapError('SLAP_ERR_UNEXPECTED_RESPONSE', `${endpoint}: unexpected answer from the master: ${why}`);
}

export function invalidOption(option: string, why: string, cause?: unknown): SlapError {
  return new SlapError('SLAP_ERR_INVALID_OPTION', `invalid option ${option}: ${why}`, { cause });
}

export function invalidArgument(message: string): SlapError {
  return new SlapError('SLAP_ERR_INVALID_ARGUMENT', message);
}
