import autocannon from 'autocannon';
import type { RecordedCall } from './recorder.ts';
import { summarise, type Summary } from './stats.ts';

export interface LoadOptions {
  /** Base URL of the server under load. */
  url: string;
  /** Calls sent round-robin over all connections, so consecutive calls differ as listed. */
  calls: readonly RecordedCall[];
  connections: number;
  durationSeconds: number;
}

export interface LoadResult {
  requests: number;
  requestsPerSecond: number;
  /** null when no answer came back within the run. */
  latency: Summary | null;
  /** Connection errors, timeouts and answers outside 2xx: any of them makes the figures suspect. */
  failures: number;
}

/**
 * Replays recorded SLAP calls with autocannon for a fixed time. Latency is
 * taken from each response (milliseconds with a fraction) rather than from
 * autocannon's histogram, which rounds to whole milliseconds.
 */
export async function runLoad({ url, calls, connections, durationSeconds }: LoadOptions): Promise<LoadResult> {
  if (calls.length === 0) throw new RangeError('runLoad needs at least one call to send');
  let next = 0;
  const instance = autocannon({
    url,
    connections,
    duration: durationSeconds,
    timeout: 30,
    requests: [{
      setupRequest: () => {
        const call = calls[next++ % calls.length]!;
        return { method: call.method, path: call.path, headers: call.headers, body: call.body ?? '' };
      },
    }],
  });
  const latencies: number[] = [];
  instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  const result = await instance;
  return {
    requests: latencies.length,
    requestsPerSecond: latencies.length / result.duration,
    latency: latencies.length > 0 ? summarise(latencies) : null,
    failures: result.errors + result.non2xx,
  };
}
