import { Agent, createServer, type IncomingMessage, type Server } from 'node:http';
import { once } from 'node:events';
import { sendRequest } from '../../src/slap/index.ts';

const FORWARD_TIMEOUT_MS = 60_000;
const FORWARD_MAX_BYTES = 64 * 1024 * 1024;

/** One HTTP call exactly as the SLAP library sent it, ready to be replayed by the load generator. */
export interface RecordedCall {
  method: string;
  /** Path and query, e.g. `/getFullComputerInformation?computer_id=COMP-1`. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * A loopback forwarder between the SLAP library and the proxy that remembers
 * every call. The benchmarks replay these calls, so that the load is made of
 * the library's own request bodies rather than hand-written ones.
 */
export class CallRecorder {
  readonly #server: Server;
  readonly #target: string;
  readonly #agent = new Agent({ keepAlive: true });
  #calls: RecordedCall[] = [];

  private constructor(server: Server, target: string) {
    this.#server = server;
    this.#target = target;
  }

  static async start(targetUrl: string): Promise<{ recorder: CallRecorder; url: string }> {
    const server = createServer();
    const recorder = new CallRecorder(server, targetUrl);
    server.on('request', (incoming, outgoing) => {
      recorder.#forward(incoming).then(
        ({ status, body, contentType }) => outgoing.writeHead(status, { 'content-type': contentType }).end(body),
        (error: unknown) => outgoing.writeHead(502, { 'content-type': 'text/plain' }).end(String(error)),
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the recorder has no TCP address');
    return { recorder, url: `http://127.0.0.1:${address.port}` };
  }

  /** The calls recorded since the last take(), oldest first. */
  take(): RecordedCall[] {
    const calls = this.#calls;
    this.#calls = [];
    return calls;
  }

  /** The single call the last library operation made. */
  takeOne(): RecordedCall {
    const calls = this.take();
    if (calls.length !== 1) throw new Error(`expected one call to the master, recorded ${calls.length}`);
    return calls[0]!;
  }

  async close(): Promise<void> {
    this.#agent.destroy();
    this.#server.closeAllConnections();
    this.#server.close();
    await once(this.#server, 'close');
  }

  async #forward(incoming: IncomingMessage): Promise<{ status: number; body: Buffer; contentType: string }> {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = chunks.length > 0 ? Buffer.concat(chunks).toString('utf8') : undefined;
    const contentType = incoming.headers['content-type'];
    const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
    const call: RecordedCall = { method: incoming.method ?? 'GET', path: incoming.url ?? '/', headers };
    if (body !== undefined) call.body = body;
    this.#calls.push(call);
    const answer = await sendRequest({
      method: call.method as 'GET' | 'POST',
      url: new URL(`${this.#target}${call.path}`),
      agent: this.#agent,
      headers,
      body,
      timeoutMs: FORWARD_TIMEOUT_MS,
    }, FORWARD_MAX_BYTES);
    return { status: answer.status, body: answer.body, contentType: String(answer.headers['content-type'] ?? 'text/plain') };
  }
}

/** `getFullComputerInformation×1 startedComputerPartition×100`: which endpoints, how often. */
export function endpointCounts(calls: readonly RecordedCall[]): string {
  const counts = new Map<string, number>();
  for (const call of calls) {
    const name = call.path.split('?', 1)[0]!.split('/').pop()!;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].map(([name, count]) => `${name}×${count}`).join(' ');
}
