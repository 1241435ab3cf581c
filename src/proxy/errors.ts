import { moduleErrorClass } from '../errors/index.ts';

/**
 * Error codes of the proxy. Every code is listed in docs/errors/proxy.md;
 * callers (and the HTTP error handler) match on `code`, never on the class.
 * The status is what a SLAP client receives when the error escapes a route.
 */
export const PROXY_ERRORS = {
  PROXY_ERR_MISSING_PARAMETER: 400,
  PROXY_ERR_BAD_PARAMETER: 400,
  PROXY_ERR_MALFORMED_BODY: 400,
  PROXY_ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  PROXY_ERR_BODY_TOO_LARGE: 413,
  PROXY_ERR_NO_SUCH_ENDPOINT: 404,
  PROXY_ERR_METHOD_NOT_ALLOWED: 405,
  PROXY_ERR_UNKNOWN_COMPUTER: 404,
  PROXY_ERR_UNKNOWN_PARTITION: 404,
  PROXY_ERR_NO_FREE_PARTITION: 404,
  PROXY_ERR_NO_HOST_PARTITION: 404,
  PROXY_ERR_UNKNOWN_MASTER: 404,
  PROXY_ERR_CONFIG: 500,
  PROXY_ERR_DATABASE: 500,
  PROXY_ERR_INTERNAL: 500,
} as const;

export type ProxyErrorCode = keyof typeof PROXY_ERRORS;

export class ProxyError extends moduleErrorClass<ProxyErrorCode>('ProxyError', PROXY_ERRORS) {}

export function missingParameter(name: string): ProxyError {
  return new ProxyError('PROXY_ERR_MISSING_PARAMETER', `missing parameter: ${name}`);
}

export function badParameter(name: string, why: string): ProxyError {
  return new ProxyError('PROXY_ERR_BAD_PARAMETER', `bad parameter ${name}: ${why}`);
}

export function unknownComputer(computerId: string): ProxyError {
  return new ProxyError('PROXY_ERR_UNKNOWN_COMPUTER', `${computerId} is not registered.`);
}

export function unknownPartition(computerId: string, partitionId: string): ProxyError {
  return new ProxyError('PROXY_ERR_UNKNOWN_PARTITION', `unknown partition ${JSON.stringify(partitionId)} on ${JSON.stringify(computerId)}`);
}
