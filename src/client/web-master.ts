import { messageOf } from '../errors/index.ts';
import { ClientError, CLIENT_ERROR_CODES } from './errors.ts';

/** A key and certificate pair the master's web side issued. */
export interface IssuedCertificate {
  certificate: string;
  key: string;
}

/** How the person proves who they are to the web side: a one-time token, or a login. */
export type WebCredentials = { token: string } | { login: string; password: string };

/**
 * Asks the master's web side for a certificate: `Person_getCertificate` (a
 * person's) or `Person_requestComputer` (a new computer's). Every failure
 * becomes a ClientError whose message names the URL and what to fix.
 */
export async function requestCertificate(options: {
  masterUrlWeb: string;
  method: 'Person_getCertificate' | 'Person_requestComputer';
  credentials: WebCredentials;
  /** Form fields (`title` for a computer). */
  fields?: Record<string, string>;
  timeoutMs: number;
}): Promise<IssuedCertificate> {
  const url = new URL(`${options.masterUrlWeb.replace(/\/+$/, '')}/${options.method}`);
  const form = new URLSearchParams(options.fields ?? {});
  let init: RequestInit;
  if ('token' in options.credentials) {
    init = { method: 'POST', body: form, headers: { 'X-Access-Token': options.credentials.token } };
  } else {
    // The original's login mode is a GET with the fields in the query and HTTP Basic auth.
    for (const [name, value] of form) url.searchParams.set(name, value);
    const basic = Buffer.from(`${options.credentials.login}:${options.credentials.password}`).toString('base64');
    init = { method: 'GET', headers: { Authorization: `Basic ${basic}` } };
  }
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(options.timeoutMs) });
    text = await response.text();
  } catch (error) {
    throw new ClientError(CLIENT_ERROR_CODES.MASTER_UNREACHABLE, `${url.origin}${url.pathname} does not answer: ${messageOf(error)}`, { cause: error });
  }
  if (!response.ok) throw refusal(response.status, text, url, 'token' in options.credentials, options.fields?.title);
  return parseIssuedCertificate(text, url);
}

function refusal(status: number, text: string, url: URL, byToken: boolean, title: string | undefined): ClientError {
  let why: string;
  if (text.includes('Certificate still active.') && title !== undefined) {
    why = `the node name ${JSON.stringify(title)} is already in use; choose another name or revoke its certificate`;
  } else if (status === 403) {
    why = byToken ? 'access denied; check the token or ask for a new one' : 'access denied; check the login and password';
  } else if (!byToken && text.includes('NotImplementedError')) {
    why = 'this master does not accept login and password; use --token';
  } else {
    why = `HTTP ${status}`;
  }
  return new ClientError(CLIENT_ERROR_CODES.MASTER_REFUSED, `${url.origin}${url.pathname}: ${why}`);
}

function parseIssuedCertificate(text: string, url: URL): IssuedCertificate {
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    answer = undefined;
  }
  const { certificate, key } = (answer ?? {}) as Record<string, unknown>;
  if (typeof certificate !== 'string' || typeof key !== 'string' || certificate === '' || key === '') {
    throw new ClientError(CLIENT_ERROR_CODES.MASTER_REFUSED, `${url.origin}${url.pathname}: the answer is not {"certificate", "key"}`);
  }
  return { certificate, key };
}
