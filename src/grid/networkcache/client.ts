import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync, statSync } from 'node:fs';
import type { Agent } from 'node:http';
import { finished, pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import { newAgent, openRequest, readBounded, type OpenResponse } from '../../slap/index.ts';
import { NetworkcacheErrorCode, networkcacheError } from './errors.ts';
import { pythonJsonDumps } from './entry.ts';

/** TLS client authentication for one cache server (uploads to https servers). */
export interface TlsFiles {
  certFile?: string;
  keyFile?: string;
}

export interface NetworkcacheEndpoints {
  /** shacache base URL (files by sha512). */
  cacheUrl: string;
  /** shadir base URL (signed entries by key). */
  dirUrl: string;
  cacheTls?: TlsFiles;
  dirTls?: TlsFiles;
  /** Longest silence, in milliseconds, while connecting to the server or reading its answer (the original: 60 s). */
  headersTimeoutMs?: number;
}

/** A shadir entry as stored: the entry JSON text and its base64 signature. */
export type SignedEntry = [json: string, signature: string];

const DEFAULT_HEADERS_TIMEOUT_MS = 60_000;
/** Largest shadir list or shacache answer read into memory; files themselves stream to disk. */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

/**
 * The shacache/shadir HTTP protocol of slapos.libnetworkcache:
 * shacache `POST <cache>` (answer 201 + sha512) and `GET <cache>/<sha512>`;
 * shadir `PUT <dir>/<key>` with `[entry, signature]` and `GET <dir>/<key>`
 * answering a list of such pairs. Credentials in a URL's userinfo become a
 * Basic Authorization header.
 */
export class NetworkcacheClient {
  private readonly cache: Endpoint;
  private readonly dir: Endpoint;

  constructor(endpoints: NetworkcacheEndpoints) {
    const timeout = endpoints.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
    this.cache = new Endpoint(endpoints.cacheUrl, endpoints.cacheTls, timeout);
    this.dir = new Endpoint(endpoints.dirUrl, endpoints.dirTls, timeout);
  }

  /** Every entry shadir holds under `key` (an empty list when it has none). */
  async selectEntries(key: string): Promise<SignedEntry[]> {
    const response = await this.dir.send('GET', key);
    if (response.status === 404) {
      await discard(response.body);
      return [];
    }
    await expectStatus(response, [200], `shadir GET ${key}`);
    const text = await readText(response.body, `shadir GET ${key}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw networkcacheError(NetworkcacheErrorCode.BAD_ENTRY, `shadir answer for ${key} is not JSON`, error);
    }
    if (!Array.isArray(parsed)) throw networkcacheError(NetworkcacheErrorCode.BAD_ENTRY, `shadir answer for ${key} is not a list`);
    return parsed.filter((item): item is SignedEntry =>
      Array.isArray(item) && item.length === 2 && typeof item[0] === 'string' && typeof item[1] === 'string');
  }

  /** Downloads shacache's file `sha512` to `destination`, refusing it if its checksum differs. */
  async download(sha512: string, destination: string): Promise<void> {
    const response = await this.cache.send('GET', sha512);
    await expectStatus(response, [200], `shacache GET ${sha512}`);
    const hash = createHash('sha512');
    const tee = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(response.body, tee, createWriteStream(destination));
    const actual = hash.digest('hex');
    if (actual !== sha512) {
      throw networkcacheError(NetworkcacheErrorCode.CHECKSUM, `shacache file ${sha512} has checksum ${actual}: refused`);
    }
  }

  /** Uploads a file to shacache unless it is already there; returns its sha512. */
  async upload(path: string): Promise<string> {
    const sha512 = await sha512OfFile(path);
    const existing = await this.cache.send('GET', sha512);
    await discard(existing.body);
    if (existing.status >= 200 && existing.status < 300) return sha512;
    const response = await this.cache.send('POST', undefined, createReadStream(path), {
      'content-type': 'application/octet-stream',
      'content-length': String(statSync(path).size),
    });
    await expectStatus(response, [201], 'shacache POST');
    const answer = (await readText(response.body, 'shacache POST')).trim();
    if (answer !== sha512) {
      throw networkcacheError(NetworkcacheErrorCode.HTTP, `shacache stored the file as ${JSON.stringify(answer.slice(0, 200))}, expected ${sha512}`);
    }
    return sha512;
  }

  /** Publishes a signed entry under `key` in shadir. */
  async index(key: string, entry: SignedEntry): Promise<void> {
    const response = await this.dir.send('PUT', key, pythonJsonDumps(entry), { 'content-type': 'application/json' });
    await expectStatus(response, [201], `shadir PUT ${key}`);
    await discard(response.body);
  }

  async close(): Promise<void> {
    this.cache.close();
    this.dir.close();
  }
}

/** One server: its base URL, its credentials and a keep-alive agent carrying its TLS client certificate. */
class Endpoint {
  private readonly base: URL;
  private readonly authorization: string | undefined;
  private readonly agent: Agent;
  private readonly timeoutMs: number;

  constructor(url: string, tls: TlsFiles | undefined, headersTimeout: number) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (error) {
      throw networkcacheError(NetworkcacheErrorCode.HTTP, `invalid cache URL ${JSON.stringify(url)}`, error);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw networkcacheError(NetworkcacheErrorCode.HTTP, `cache URL must be http:// or https://, not ${JSON.stringify(url)}`);
    }
    this.authorization = parsed.username
      ? `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}`
      : undefined;
    parsed.username = '';
    parsed.password = '';
    this.base = parsed;
    this.timeoutMs = headersTimeout;
    this.agent = newAgent(parsed.protocol, {
      cert: tls?.certFile ? readFileSync(tls.certFile) : undefined,
      key: tls?.keyFile ? readFileSync(tls.keyFile) : undefined,
    });
  }

  /** `<base>` without trailing slashes, then `/<name>` when a name is given (as the original joins). */
  urlFor(name?: string): string {
    const base = this.base.href.replace(/\/+$/, '');
    return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
  }

  async send(method: 'GET' | 'POST' | 'PUT', name?: string, body?: string | Readable, headers: Record<string, string> = {}): Promise<OpenResponse> {
    const url = this.urlFor(name);
    try {
      return await openRequest({
        method,
        url: new URL(url),
        agent: this.agent,
        headers: this.authorization ? { ...headers, authorization: this.authorization } : headers,
        body,
        timeoutMs: this.timeoutMs,
      });
    } catch (error) {
      throw networkcacheError(NetworkcacheErrorCode.HTTP, `${method} ${url} failed: ${(error as Error).message}`, error);
    }
  }

  close(): void {
    this.agent.destroy();
  }
}

async function expectStatus(response: OpenResponse, expected: number[], what: string): Promise<void> {
  if (expected.includes(response.status)) return;
  const text = (await readText(response.body, what)).slice(0, 200);
  throw networkcacheError(NetworkcacheErrorCode.HTTP, `${what} answered HTTP ${response.status}: ${text}`);
}

/** A (bounded) text answer as UTF-8. */
async function readText(body: Readable, what: string): Promise<string> {
  try {
    return (await readBounded(body, MAX_ANSWER_BYTES)).toString('utf8');
  } catch (error) {
    throw networkcacheError(NetworkcacheErrorCode.HTTP, `${what}: reading the answer failed: ${(error as Error).message}`, error);
  }
}

/** Reads an unneeded answer to its end, so that its connection can be reused. */
async function discard(body: Readable): Promise<void> {
  body.resume();
  await finished(body);
}

async function sha512OfFile(path: string): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
