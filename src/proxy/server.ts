import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import { marshal } from '../slap/index.ts';
import type { SlapOSError } from '../errors/index.ts';
import type { Logger } from '../log/index.ts';
import { ProxyError } from './errors.ts';
import { Fields, type FieldLimits } from './http/fields.ts';
import { computerEndpoints } from './routes/computer.ts';
import { partitionEndpoints } from './routes/partition.ts';
import { requestEndpoints } from './routes/request.ts';
import { softwareEndpoints } from './routes/software.ts';
import type { Answer, EndpointTable, ProxyContext } from './routes/types.ts';
import { SqliteStore } from './store/sqlite.ts';
import type { ProxyStore } from './store/types.ts';

export interface ProxyOptions {
  /** SQLite file, created on first start. Ignored when `store` is given. */
  databasePath: string;
  logger: Logger;
  /** The configured computer (`[slapos] computer_id`); default `computer`. */
  computerId?: string;
  /** Largest accepted request body in bytes; larger → 413. Default 10 MiB. */
  bodyLimit?: number;
  /** `[slapproxy] software_product_list`: product reference → software release URL. */
  softwareProducts?: ReadonlyMap<string, string>;
  /** Another store backend (tests of the store contract, future PostgreSQL). */
  store?: ProxyStore;
  /** Seconds since the epoch; default the system clock. */
  now?: () => number;
}

export interface ProxyServer {
  /** Starts serving; resolves to the base URL (`http://host:port`). */
  listen(host: string, port: number): Promise<string>;
  /** Stops accepting requests, lets running ones finish, closes the store. */
  close(): Promise<void>;
}

const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;
const MAX_MARSHAL_DEPTH = 64;

/** Every SLAP endpoint, by name. Names are unique across the tables. */
const ENDPOINTS: EndpointTable = { ...computerEndpoints, ...softwareEndpoints, ...partitionEndpoints, ...requestEndpoints };

function checkOptions(options: ProxyOptions): void {
  if (typeof options !== 'object' || options === null) throw new ProxyError('PROXY_ERR_CONFIG', 'createProxy needs an options object');
  if (!options.store && (typeof options.databasePath !== 'string' || options.databasePath === '')) {
    throw new ProxyError('PROXY_ERR_CONFIG', 'databasePath must be a non-empty path');
  }
  if (options.computerId !== undefined && (typeof options.computerId !== 'string' || options.computerId === '')) {
    throw new ProxyError('PROXY_ERR_CONFIG', 'computerId must be a non-empty string');
  }
  if (options.bodyLimit !== undefined && !(Number.isInteger(options.bodyLimit) && options.bodyLimit > 0)) {
    throw new ProxyError('PROXY_ERR_CONFIG', `bodyLimit must be a positive integer, not ${String(options.bodyLimit)}`);
  }
}

/** The endpoint a path names: its last segment, so that `//name` and reverse-proxy prefixes work. */
function endpointName(url: string): string {
  const path = url.split('?', 1)[0]!;
  const segments = path.split('/').filter((segment) => segment !== '');
  const last = segments.length === 0 ? '' : segments[segments.length - 1]!;
  try {
    return decodeURIComponent(last);
  } catch {
    return last; // malformed escapes name no endpoint: a 404 follows
  }
}

function queryOf(url: string): string {
  const mark = url.indexOf('?');
  return mark < 0 ? '' : url.slice(mark + 1);
}

/** Our errors carry a code and a status; fastify's carry a `FST_ERR_*` code and a `statusCode`. */
function isSlapOSError(error: unknown): error is SlapOSError {
  const { code, status } = error as { code?: unknown; status?: unknown };
  return error instanceof Error && typeof code === 'string' && !code.startsWith('FST_') && typeof status === 'number';
}

/** Fastify's own errors (body too large, bad media type, ...) → our codes. */
function asProxyError(error: FastifyError): ProxyError {
  if (error.statusCode === 413) return new ProxyError('PROXY_ERR_BODY_TOO_LARGE', 'request body too large');
  if (error.statusCode === 415) return new ProxyError('PROXY_ERR_UNSUPPORTED_MEDIA_TYPE', 'POST bodies must be application/x-www-form-urlencoded');
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new ProxyError('PROXY_ERR_MALFORMED_BODY', `malformed request: ${error.message}`);
  }
  return new ProxyError('PROXY_ERR_INTERNAL', 'internal error (see the proxy log)', { cause: error });
}

function send(reply: FastifyReply, answer: Answer): FastifyReply {
  if ('marshal' in answer) return reply.type('text/xml; charset=utf-8').send(marshal(answer.marshal));
  if ('xml' in answer) return reply.type('text/xml; charset=utf-8').send(answer.xml);
  return reply.type('text/plain; charset=utf-8').send(answer.text);
}

/**
 * Builds a proxy: opens (and migrates) the store, then the HTTP app. The
 * request lifecycle: parse the form body (urlencoded only, size-limited) →
 * find the endpoint by the last path segment → the endpoint decodes its
 * fields and runs one store transaction → the answer is marshalled → one
 * log line. Any error becomes its status and a one-line text body.
 */
export async function createProxy(options: ProxyOptions): Promise<ProxyServer> {
  checkOptions(options);
  const logger = options.logger.child({ component: 'slapproxy' });
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const store = options.store ?? new SqliteStore({ databasePath: options.databasePath, logger });
  const context: ProxyContext = {
    store,
    defaultComputerId: options.computerId ?? 'computer',
    now: options.now ?? (() => Date.now() / 1000),
    logger,
    softwareProducts: options.softwareProducts ?? new Map(),
    runId: randomBytes(24).toString('base64url').slice(0, 32),
    computerAnswers: new Map(),
  };
  const limits: FieldLimits = { maxBytes: bodyLimit, maxDepth: MAX_MARSHAL_DEPTH };
  const app = buildApp(context, limits, bodyLimit);
  return {
    async listen(host, port) {
      await app.listen({ host, port });
      const address = app.server.address();
      const boundPort = typeof address === 'object' && address !== null ? address.port : port;
      const url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
      logger.info('proxy listening', { url, computer_id: context.defaultComputerId });
      return url;
    },
    async close() {
      await app.close();
      await store.close();
    },
  };
}

function buildApp(context: ProxyContext, limits: FieldLimits, bodyLimit: number): FastifyInstance {
  // On close, idle keep-alive connections are dropped and requests in flight finish (fastify's default).
  const app = Fastify({ logger: false, bodyLimit });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, new URLSearchParams(body as string));
  });

  app.addHook('onResponse', async (request, reply) => {
    context.logger.info('request', {
      method: request.method,
      path: request.url.split('?', 1)[0],
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
    });
  });

  app.setErrorHandler(async (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const known = isSlapOSError(error) ? error : asProxyError(error);
    if (known.status >= 500) context.logger.error('request failed', { path: request.url, code: known.code, error: (error as Error).stack ?? String(error) });
    return reply.code(known.status).type('text/plain; charset=utf-8').send(`${known.message.split('\n', 1)[0]}\n`);
  });

  app.route({
    method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'],
    url: '*',
    handler: async (request, reply) => {
      const name = endpointName(request.url);
      const endpoint = Object.hasOwn(ENDPOINTS, name) ? ENDPOINTS[name] : undefined;
      if (!endpoint) throw new ProxyError('PROXY_ERR_NO_SUCH_ENDPOINT', `no such endpoint: ${name || '/'}`);
      // HEAD is a GET without body (fastify drops the body).
      const method = request.method === 'HEAD' ? 'GET' : request.method;
      if (method !== endpoint.method) throw new ProxyError('PROXY_ERR_METHOD_NOT_ALLOWED', `${name} takes ${endpoint.method}, not ${request.method}`);
      const params = endpoint.method === 'GET'
        ? new URLSearchParams(queryOf(request.url))
        : request.body instanceof URLSearchParams ? request.body : new URLSearchParams();
      const origin = `${request.protocol}://${request.host}`;
      return send(reply, await endpoint.handle({ fields: new Fields(params, limits), origin }, context));
    },
  });
  return app;
}
