import { resolve } from 'node:path';
import type { ConfigFile } from '../config/index.ts';
import { ProxyError } from './errors.ts';

/** Options given on the `slapos proxy start|show` command line; they win over the file. */
export interface ProxyCliOverrides {
  host?: string;
  port?: string;
  databaseUri?: string;
}

export interface ProxySettings {
  host: string;
  port: number;
  databasePath: string;
  computerId: string;
  softwareProducts: Map<string, string>;
  /** `[slapproxy] log_file`, where request lines also go. */
  logFile: string | null;
}

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_PORT = 8080;

/**
 * The proxy's settings from slapos.cfg: each option is taken from the
 * command line, else `[slapproxy]`, else `[slapos]` (the first non-empty
 * one, as the original merges them). Everything is checked here, so a bad
 * configuration stops the proxy before it listens.
 */
export function proxySettings(config: ConfigFile, overrides: ProxyCliOverrides = {}, cwd = process.cwd()): ProxySettings {
  const pick = (option: string, override?: string): string | undefined => {
    if (override) return override;
    for (const section of ['slapproxy', 'slapos']) {
      if (config.hasSection(section) && config.has(section, option)) {
        const value = config.getString(section, option).trim();
        if (value) return value;
      }
    }
    return undefined;
  };
  const where = `${config.filename} [slapproxy]`;
  const database = pick('database_uri', overrides.databaseUri);
  if (!database) throw new ProxyError('PROXY_ERR_CONFIG', `${where}: database_uri is required (or --database-uri)`);
  const computerId = pick('computer_id');
  if (!computerId) throw new ProxyError('PROXY_ERR_CONFIG', `${config.filename} [slapos]: computer_id is required`);
  const portText = pick('port', overrides.port) ?? String(DEFAULT_PORT);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new ProxyError('PROXY_ERR_CONFIG', `${where}: port must be a number from 0 to 65535, not ${JSON.stringify(portText)}`);
  const logFile = pick('log_file');
  return {
    host: pick('host', overrides.host) ?? DEFAULT_HOST,
    port,
    databasePath: resolve(cwd, expandHome(database)),
    computerId,
    softwareProducts: softwareProductList(pick('software_product_list') ?? '', where),
    logFile: logFile ? resolve(cwd, expandHome(logFile)) : null,
  };
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? `${process.env.HOME ?? ''}${path.slice(1)}` : path;
}

/** Lines of `<product reference> <software release URL>`. */
function softwareProductList(text: string, where: string): Map<string, string> {
  const products = new Map<string, string>();
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const parts = line.split(/\s+/);
    if (parts.length !== 2) throw new ProxyError('PROXY_ERR_CONFIG', `${where}: software_product_list line ${JSON.stringify(line)} is not "<product> <url>"`);
    products.set(parts[0]!, parts[1]!);
  }
  return products;
}
