import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';

/** One call as the test master received it. */
export interface RecordedCall {
  method: string;
  /** Path without the query (`/getFullComputerInformation`). */
  path: string;
  /** The raw query string, without `?`. */
  rawQuery: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  /** The raw body. */
  body: string;
  /** The body parsed as a form. */
  form: Record<string, string>;
}

export interface Reply {
  status?: number;
  body?: string;
  contentType?: string;
}

export type Responder = (call: RecordedCall) => Reply | Promise<Reply>;

export interface TestMaster {
  url: string;
  calls: RecordedCall[];
  /** The answer to the next calls (replaces the previous responder). */
  respond(responder: Responder): void;
  close(): Promise<void>;
}

/**
 * A real HTTP(S) server on 127.0.0.1, random port, that records every call
 * and answers with what the test says: a stand-in for a SLAP master whose
 * exact answers (statuses, odd documents) the test controls.
 */
export async function startTestMaster(options: { tls?: HttpsServerOptions; responder?: Responder } = {}): Promise<TestMaster> {
  const calls: RecordedCall[] = [];
  let responder: Responder = options.responder ?? (() => ({ body: 'OK' }));
  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://test');
      const body = Buffer.concat(chunks).toString('utf8');
      const call: RecordedCall = {
        method: request.method ?? '',
        path: url.pathname,
        rawQuery: url.search.replace(/^\?/, ''),
        query: Object.fromEntries(url.searchParams),
        headers: request.headers,
        body,
        form: Object.fromEntries(new URLSearchParams(body)),
      };
      calls.push(call);
      Promise.resolve(responder(call)).then((reply) => {
        response.writeHead(reply.status ?? 200, { 'content-type': reply.contentType ?? 'text/xml; charset=utf-8' });
        response.end(reply.body ?? '');
      }, (error: unknown) => {
        response.writeHead(500);
        response.end(String(error));
      });
    });
  };
  const server: Server = options.tls === undefined ? createHttpServer(handle) : createHttpsServer(options.tls, handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    calls,
    respond(next) { responder = next; },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
