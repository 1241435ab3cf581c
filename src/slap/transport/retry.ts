import { setTimeout as sleep } from 'node:timers/promises';
import { hasCode } from '../../errors/index.ts';
import { invalidOption } from '../errors.ts';
import type { SlapTransport, TransportWrapper } from './transport.ts';

export interface RetryOnNotReadyOptions {
  /** Tries in all, the first included (>= 1). */
  attempts: number;
  /** Pause between tries. */
  delayMs: number;
}

/**
 * Retries calls the master answered with 408 ("not ready yet": an instance
 * requested but not allocated, a forwarded request still pending). Other
 * errors are final. After the last try the SLAP_ERR_RESOURCE_NOT_READY error
 * reaches the caller, who may still "ask again later".
 */
export function withRetryOnNotReady(options: RetryOnNotReadyOptions): TransportWrapper {
  if (!Number.isSafeInteger(options.attempts) || options.attempts < 1) {
    throw invalidOption('attempts', `${String(options.attempts)} is not a whole number >= 1`);
  }
  if (!Number.isFinite(options.delayMs) || options.delayMs < 0) {
    throw invalidOption('delayMs', `${String(options.delayMs)} is not a duration >= 0`);
  }
  return (next: SlapTransport): SlapTransport => {
    const retrying = async (call: () => Promise<string>): Promise<string> => {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await call();
        } catch (error) {
          if (attempt >= options.attempts || !hasCode(error, 'SLAP_ERR_RESOURCE_NOT_READY')) throw error;
        }
        await sleep(options.delayMs);
      }
    };
    return {
      get: (endpoint, query) => retrying(() => next.get(endpoint, query)),
      post: (endpoint, form) => retrying(() => next.post(endpoint, form)),
    };
  };
}
