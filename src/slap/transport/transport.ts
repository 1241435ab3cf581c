/**
 * The SLAP transport: how the object model reaches the master. Two calls,
 * one per HTTP method the protocol uses; both resolve to the answer body as
 * text or reject with a SlapError (SLAP_ERR_NOT_FOUND, ..._RESOURCE_NOT_READY,
 * ..._UNAUTHORIZED, ..._SERVER, ..._CONNECTION, ..._AUTHENTICATION).
 *
 * Behaviour that is not HTTP itself (retrying "not ready" answers, logging)
 * is added by wrapping a transport, so each concern stays in its own file and
 * callers pick the ones they want.
 */

/** GET parameters, sent in the query string. */
export type QueryFields = Readonly<Record<string, string>>;

/**
 * POST fields, sent as an application/x-www-form-urlencoded body. `null` is
 * sent as the text `None`, as both Python clients do (servers read it as
 * "absent").
 */
export type FormFields = Readonly<Record<string, string | null>>;

export interface SlapTransport {
  /** GET `endpoint` (a name such as `getFullComputerInformation`). */
  get(endpoint: string, query?: QueryFields): Promise<string>;
  /** POST `endpoint` with a form body. */
  post(endpoint: string, form?: FormFields): Promise<string>;
}

/** Adds one behaviour around a transport. */
export type TransportWrapper = (next: SlapTransport) => SlapTransport;

/**
 * Applies wrappers to a transport; the first wrapper is the outermost, so
 * `composeTransport(http, withLogging(l), withRetryOnNotReady(o))` logs once
 * per call, around all retries.
 */
export function composeTransport(base: SlapTransport, ...wrappers: TransportWrapper[]): SlapTransport {
  return wrappers.reduceRight<SlapTransport>((next, wrap) => wrap(next), base);
}
