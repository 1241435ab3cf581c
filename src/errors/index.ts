/**
 * The base of every error slapos.ts raises on purpose. Callers match on
 * `code` (stable, listed per module in docs/errors/<module>.md), never on `instanceof`, so that
 * errors survive being re-thrown across module boundaries and child processes.
 */
export class SlapOSError extends Error {
  readonly code: string;
  /** HTTP status the proxy answers with when this error escapes a route. */
  readonly status: number;

  constructor(code: string, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SlapOSError';
    this.code = code;
    this.status = options.status ?? 500;
  }
}

/** Narrows an unknown thrown value to a SlapOSError with the given code. */
export function hasCode(error: unknown, code: string): error is SlapOSError {
  return error instanceof Error && (error as { code?: unknown }).code === code;
}

/** The message of any thrown value, for one-line reports. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
