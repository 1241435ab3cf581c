import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';
import { SlapError } from '../errors.ts';

/**
 * One HTTP(S) request over node:http/node:https, shared by the SLAP transport
 * and the binary-cache client. node:http is used rather than a client package
 * because the node agent keeps little else in memory (undici alone cost it
 * 19 MiB of RSS).
 */
export interface HttpCall {
  method: 'GET' | 'POST' | 'PUT';
  url: URL;
  /** From newAgent() for the URL's scheme; keeps connections alive between calls. */
  agent: HttpAgent;
  headers?: Record<string, string>;
  /** Text, bytes, or a stream sent as it is read (give content-length in headers). */
  body?: string | Buffer | Readable;
  /** Longest silence allowed while connecting, sending or reading, in milliseconds. */
  timeoutMs: number;
}

export interface OpenResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The answer's body, still to be read; the call's timeout applies to every read. */
  body: IncomingMessage;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A keep-alive agent for `protocol`; `tls` (client certificate, CA, verification) only matters for https. */
export function newAgent(protocol: string, tls: ConnectionOptions = {}): HttpAgent {
  return protocol === 'https:' ? new HttpsAgent({ keepAlive: true, ...tls }) : new HttpAgent({ keepAlive: true });
}

/**
 * Sends the call and resolves once the answer's headers arrived. Failures
 * reject with Node's own errors (their `code`, e.g. ECONNREFUSED or a TLS
 * code, tells what went wrong); silence longer than timeoutMs rejects with
 * code ETIMEDOUT.
 */
export function openRequest(call: HttpCall): Promise<OpenResponse> {
  return new Promise((resolve, reject) => {
    const send = call.url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(call.url, { method: call.method, agent: call.agent, headers: call.headers });
    let response: IncomingMessage | undefined;
    request.setTimeout(call.timeoutMs, () => {
      const error = Object.assign(new Error(`no answer within ${call.timeoutMs} ms`), { code: 'ETIMEDOUT' });
      // Once headers arrived the reader of the body must see the error, not a silent end.
      if (response !== undefined) response.destroy(error);
      request.destroy(error);
    });
    request.on('error', reject);
    request.on('response', (incoming: IncomingMessage) => {
      response = incoming;
      resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: incoming });
    });
    const { body } = call;
    if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) {
      request.end(body);
    } else {
      body.on('error', (error) => request.destroy(error));
      body.pipe(request);
    }
  });
}

/** The whole body, refusing more than maxBytes (SLAP_ERR_RESPONSE_TOO_LARGE) without buffering it. */
export async function readBounded(body: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      body.destroy();
      throw new SlapError('SLAP_ERR_RESPONSE_TOO_LARGE', `the answer is larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A bounded request: status, headers and the whole body (at most maxBytes). */
export async function sendRequest(call: HttpCall, maxBytes: number): Promise<HttpResponse> {
  const { status, headers, body } = await openRequest(call);
  return { status, headers, body: await readBounded(body, maxBytes) };
}
