import type { Logger } from '../../log/index.ts';
import type { SlapTransport, TransportWrapper } from './transport.ts';

/**
 * Logs each SLAP call at debug level: endpoint and method, then its outcome
 * (answer size, or the error code). Parameters are not logged: they may hold
 * instance secrets. Errors still reach the caller, who reports them.
 */
export function withLogging(logger: Logger): TransportWrapper {
  return (next: SlapTransport): SlapTransport => {
    const logged = async (method: 'GET' | 'POST', endpoint: string, call: () => Promise<string>): Promise<string> => {
      logger.debug('SLAP call', { method, endpoint });
      try {
        const answer = await call();
        logger.debug('SLAP answer', { method, endpoint, bytes: Buffer.byteLength(answer) });
        return answer;
      } catch (error) {
        logger.debug('SLAP call failed', { method, endpoint, code: (error as { code?: unknown }).code });
        throw error;
      }
    };
    return {
      get: (endpoint, query) => logged('GET', endpoint, () => next.get(endpoint, query)),
      post: (endpoint, form) => logged('POST', endpoint, () => next.post(endpoint, form)),
    };
  };
}
