import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { formatConfig } from '../config/index.ts';
import { checkMasterUrl } from './client-config.ts';
import { ClientError, CLIENT_ERROR_CODES } from './errors.ts';
import { requestCertificate } from './web-master.ts';

/** The original's defaults for `configure client` and `node register`. */
export const DEFAULT_MASTER_URL = 'https://slap.vifib.com';
export const DEFAULT_MASTER_URL_WEB = 'https://panel.rapid.space';

export interface ClientSetupOptions {
  /** The client configuration to write (`--cfg` or the default). */
  configPath: string;
  masterUrl: string;
  masterUrlWeb: string;
  token: string;
  timeoutMs: number;
}

/** The files `configure client` wrote. */
export interface ClientSetup {
  configPath: string;
  certPath: string;
  keyPath: string;
}

/**
 * Fetches the person's certificate with a token and writes the client
 * configuration, `client.crt` and `client.key` beside it (0600). Refuses if any
 * of the three exists, and writes nothing until the master has answered.
 */
export async function configureClient(options: ClientSetupOptions): Promise<ClientSetup> {
  checkMasterUrl(options.masterUrl, '--master-url');
  checkMasterUrl(options.masterUrlWeb, '--master-url-web');
  const directory = dirname(options.configPath);
  const setup = { configPath: options.configPath, certPath: join(directory, 'client.crt'), keyPath: join(directory, 'client.key') };
  for (const path of Object.values(setup)) {
    if (existsSync(path)) {
      throw new ClientError(CLIENT_ERROR_CODES.ALREADY_CONFIGURED, `${path} already exists; remove it before configuring the client again`);
    }
  }
  const issued = await requestCertificate({
    masterUrlWeb: options.masterUrlWeb, method: 'Person_getCertificate', credentials: { token: options.token }, timeoutMs: options.timeoutMs,
  });
  const config = formatConfig({
    slapos: { master_url: options.masterUrl },
    slapconsole: { cert_file: setup.certPath, key_file: setup.keyPath },
  });
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  writePrivateFile(setup.certPath, issued.certificate);
  writePrivateFile(setup.keyPath, issued.key);
  writePrivateFile(setup.configPath, config);
  return setup;
}

/** Writes a file only its owner may read, failing rather than replacing an existing one. */
export function writePrivateFile(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
}
