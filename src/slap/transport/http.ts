import { readFileSync } from 'node:fs';
import type { Agent } from 'node:http';
import type { ConnectionOptions } from 'node:tls';
import { SlapError, invalidOption } from '../errors.ts';
import { encodeForm } from './form.ts';
import { endpointUrl, parseMasterUrl } from './master-url.ts';
import { newAgent, sendRequest } from './request.ts';
import type { FormFields, QueryFields, SlapTransport } from './transport.ts';

export interface HttpTransportOptions {
  /** `master_url` of slapos.cfg: `http://127.0.0.1:8080`, `https://slap.example.com/`. */
  masterUrl: string;
  /** PEM client key and certificate (`key_file`, `cert_file`); https only, both or neither. */
  keyFile?: string;
  certFile?: string;
  /**
   * PEM CA bundle the master's certificate must chain to (`master_ca_file`).
   * Without it the master's certificate is not verified, as with both Python
   * clients (masters commonly use a private CA).
   */
  caFile?: string;
  /** Connect, headers and body timeout of each call; default 60 s as in the original. */
  timeoutMs?: number;
  /** Largest answer read, in bytes; default 32 MiB (the codec's own limit). */
  maxResponseBytes?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
const CONNECTION_HINT = 'check master_url, that the master is running and that IPv6 works on this machine if the URL uses it';
// With TLS 1.3 a master refusing the client certificate just closes the connection.
const HTTPS_CONNECTION_HINT = `${CONNECTION_HINT}, and that the master accepts the client certificate`;
const TLS_HINT = 'check that the client certificate and key exist, match each other and are accepted by the master, and that master_ca_file signs the master\'s certificate';
/** How much of an error page goes into the message: enough for a proxy's one-line reason. */
const EXCERPT_CHARS = 200;

/**
 * The SLAP transport over HTTP(S) (node:http, node:https). Endpoint names resolve below the
 * master URL; answers are decoded with their declared charset (UTF-8 when
 * none). Any 2xx is success; 404, 408 and 403 map to SLAP_ERR_NOT_FOUND,
 * SLAP_ERR_RESOURCE_NOT_READY and SLAP_ERR_UNAUTHORIZED, every other status
 * to SLAP_ERR_SERVER. Messages name the endpoint and its parameters.
 */
export class HttpTransport implements SlapTransport {
  readonly masterUrl: URL;
  private readonly agent: Agent;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  /** Calls not settled yet: close() lets them finish before closing the connections. */
  private readonly inFlight = new Set<Promise<string>>();
  private closed = false;

  constructor(options: HttpTransportOptions) {
    this.masterUrl = parseMasterUrl(options.masterUrl);
    this.timeoutMs = positiveInteger('timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS);
    this.maxResponseBytes = positiveInteger('maxResponseBytes', options.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES);
    this.agent = newAgent(this.masterUrl.protocol, tlsOptions(this.masterUrl, options));
  }

  get(endpoint: string, query: QueryFields = {}): Promise<string> {
    const url = endpointUrl(this.masterUrl, endpoint);
    const search = encodeForm(query);
    if (search !== '') url.search = search;
    return this.call('GET', url, describeCall(endpoint, query), undefined);
  }

  post(endpoint: string, form: FormFields = {}): Promise<string> {
    return this.call('POST', endpointUrl(this.masterUrl, endpoint), describeCall(endpoint, form), encodeForm(form));
  }

  /** Closes the kept-alive connections (a CLI process exits sooner) once the calls under way have settled. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.inFlight);
    this.agent.destroy();
  }

  private call(method: 'GET' | 'POST', url: URL, call: string, body: string | undefined): Promise<string> {
    if (this.closed) return Promise.reject(new SlapError('SLAP_ERR_CONNECTION', `${call}: the connection to the master is closed`));
    const pending = this.send(method, url, call, body);
    this.inFlight.add(pending);
    const forget = (): void => { this.inFlight.delete(pending); };
    pending.then(forget, forget);
    return pending;
  }

  private async send(method: 'GET' | 'POST', url: URL, call: string, body: string | undefined): Promise<string> {
    const headers: Record<string, string> = { accept: '*/*', 'user-agent': 'slapos.ts' };
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    let text: string;
    let status: number;
    try {
      const response = await sendRequest({ method, url, agent: this.agent, headers, body, timeoutMs: this.timeoutMs }, this.maxResponseBytes);
      status = response.status;
      text = decodeBody(response.body, response.headers['content-type']);
    } catch (cause) {
      if (cause instanceof SlapError) throw new SlapError(cause.code, `${call}: ${cause.message}`, { cause });
      throw networkError(call, cause, url.protocol === 'https:');
    }
    const error = statusError(status, call, text);
    if (error !== undefined) throw error;
    return text;
  }
}

function positiveInteger(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) throw invalidOption(option, `${String(value)} is not a positive whole number`);
  return value;
}

function tlsOptions(masterUrl: URL, options: HttpTransportOptions): ConnectionOptions {
  if (masterUrl.protocol !== 'https:') return {};
  if ((options.keyFile === undefined) !== (options.certFile === undefined)) {
    throw invalidOption(options.keyFile === undefined ? 'keyFile' : 'certFile', 'keyFile and certFile go together');
  }
  const tls: ConnectionOptions = { rejectUnauthorized: options.caFile !== undefined };
  if (options.keyFile !== undefined) tls.key = readPem('keyFile', options.keyFile);
  if (options.certFile !== undefined) tls.cert = readPem('certFile', options.certFile);
  if (options.caFile !== undefined) tls.ca = readPem('caFile', options.caFile);
  return tls;
}

function readPem(option: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw invalidOption(option, `cannot read ${path}: ${(cause as Error).message}`, cause);
  }
}

/** `getFullComputerInformation (computer_id=COMP-1)`: how messages name a call. */
function describeCall(endpoint: string, fields: FormFields | QueryFields): string {
  const shown = Object.entries(fields)
    .filter(([key]) => !key.endsWith('_xml') && key !== 'xml')
    .map(([key, value]) => `${key}=${truncate(value ?? 'None', 80)}`);
  return shown.length === 0 ? endpoint : `${endpoint} (${shown.join(', ')})`;
}

/** The error a status means, or undefined for success. */
function statusError(status: number, call: string, body: string): SlapError | undefined {
  if (status >= 200 && status < 300) return undefined;
  const excerpt = truncate(body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim(), EXCERPT_CHARS);
  const said = excerpt === '' ? '' : `: ${excerpt}`;
  switch (status) {
    case 404: return new SlapError('SLAP_ERR_NOT_FOUND', `${call}: not found (HTTP 404)${said}`);
    case 408: return new SlapError('SLAP_ERR_RESOURCE_NOT_READY', `${call}: not ready yet (HTTP 408)${said}`);
    case 403: return new SlapError('SLAP_ERR_UNAUTHORIZED', `${call}: not allowed (HTTP 403)${said}`);
    default: return new SlapError('SLAP_ERR_SERVER', `${call}: the master answered HTTP ${status}${said}`);
  }
}

function networkError(call: string, cause: unknown, https: boolean): SlapError {
  const reason = causeChain(cause);
  if (isTlsFailure(cause)) {
    return new SlapError('SLAP_ERR_AUTHENTICATION', `${call}: TLS failure (${reason}); ${TLS_HINT}`, { cause });
  }
  return new SlapError('SLAP_ERR_CONNECTION', `${call}: cannot reach the master (${reason}); ${https ? HTTPS_CONNECTION_HINT : CONNECTION_HINT}`, { cause });
}

function isTlsFailure(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^ERR_(SSL|TLS)_|CERT|^UNABLE_TO_/.test(code)) return true;
  }
  return false;
}

function causeChain(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error && parts.length < 4; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    parts.push(typeof code === 'string' ? `${code}: ${e.message.trim()}` : e.message.trim());
  }
  return parts.length === 0 ? String(error) : parts.join(' <- ');
}

function decodeBody(bytes: Buffer, contentType: string | string[] | undefined): string {
  const header = Array.isArray(contentType) ? contentType[0] : contentType;
  const charset = /;\s*charset="?([^";\s]+)/i.exec(header ?? '')?.[1] ?? 'utf-8';
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset);
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  return decoder.decode(bytes);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
