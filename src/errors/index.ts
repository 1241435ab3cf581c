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

/** What a module's error class takes: one of its codes, a message, maybe a cause. */
export type ModuleErrorClass<Code extends string> = new (code: Code, message: string, options?: { cause?: unknown }) => SlapOSError & { readonly code: Code };

/**
 * Makes the error class of a module from its code table, so that every module
 * builds its errors the same way: `status` is one HTTP status for all its
 * codes, or a table giving each code its own. Use it as a base class
 * (`class ProxyError extends moduleErrorClass(...) {}`) to keep a named type.
 */
export function moduleErrorClass<Code extends string>(name: string, status: number | Readonly<Record<Code, number>>): ModuleErrorClass<Code> {
  return class extends SlapOSError {
    declare readonly code: Code;

    constructor(code: Code, message: string, options: { cause?: unknown } = {}) {
      super(code, message, { status: typeof status === 'number' ? status : status[code], cause: options.cause });
      this.name = name;
    }
  };
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
