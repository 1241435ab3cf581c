import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';
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
  /** Milliseconds to wait for the server to start answering (the original: 60 s). */
  headersTimeoutMs?: number;
}

/** A shadir entry as stored: the entry JSON text and its base64 signature. */
export type SignedEntry = [json: string, signature: string];

const DEFAULT_HEADERS_TIMEOUT_MS = 60_000;

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
    if (response.statusCode === 404) {
      await response.body.dump();
      return [];
    }
    await expectStatus(response, [200], `shadir GET ${key}`);
    const text = await response.body.text();
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
    await existing.body.dump();
    if (existing.statusCode >= 200 && existing.statusCode < 300) return sha512;
    const response = await this.cache.send('POST', undefined, createReadStream(path), {
      'content-type': 'application/octet-stream',
      'content-length': String(statSync(path).size),
    });
    await expectStatus(response, [201], 'shacache POST');
    const answer = (await response.body.text()).trim();
    if (answer !== sha512) {
      throw networkcacheError(NetworkcacheErrorCode.HTTP, `shacache stored the file as ${JSON.stringify(answer.slice(0, 200))}, expected ${sha512}`);
    }
    return sha512;
  }

  /** Publishes a signed entry under `key` in shadir. */
  async index(key: string, entry: SignedEntry): Promise<void> {
    const response = await this.dir.send('PUT', key, pythonJsonDumps(entry), { 'content-type': 'application/json' });
    await expectStatus(response, [201], `shadir PUT ${key}`);
    await response.body.dump();
  }

  async close(): Promise<void> {
    await Promise.all([this.cache.close(), this.dir.close()]);
  }
}

/** One server: its base URL, its credentials and a dispatcher carrying its TLS client certificate. */
class Endpoint {
  private readonly base: URL;
  private readonly authorization: string | undefined;
  private readonly dispatcher: Agent;

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
    this.dispatcher = new Agent({
      headersTimeout,
      connect: tls?.certFile || tls?.keyFile
        ? { cert: tls.certFile ? readFileSync(tls.certFile) : undefined, key: tls.keyFile ? readFileSync(tls.keyFile) : undefined }
        : undefined,
    });
  }

  /** `<base>` without trailing slashes, then `/<name>` when a name is given (as the original joins). */
  urlFor(name?: string): string {
    const base = this.base.href.replace(/\/+$/, '');
    return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
  }

  async send(method: 'GET' | 'POST' | 'PUT', name?: string, body?: Dispatcher.DispatchOptions['body'], headers: Record<string, string> = {}): Promise<Dispatcher.ResponseData> {
    const url = this.urlFor(name);
    try {
      return await request(url, {
        method,
        body,
        headers: this.authorization ? { ...headers, authorization: this.authorization } : headers,
        dispatcher: this.dispatcher,
      });
    } catch (error) {
      throw networkcacheError(NetworkcacheErrorCode.HTTP, `${method} ${url} failed: ${(error as Error).message}`, error);
    }
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}

async function expectStatus(response: Dispatcher.ResponseData, expected: number[], what: string): Promise<void> {
  if (expected.includes(response.statusCode)) return;
  const text = (await response.body.text()).slice(0, 200);
  throw networkcacheError(NetworkcacheErrorCode.HTTP, `${what} answered HTTP ${response.statusCode}: ${text}`);
}

async function sha512OfFile(path: string): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
