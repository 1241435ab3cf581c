import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigFile } from '../config/index.ts';
import { hasCode } from '../errors/index.ts';
import { ClientError, CLIENT_ERROR_CODES } from './errors.ts';

/** Where the client configuration is looked for when neither `--cfg` nor the variable says. */
const DEFAULT_CLIENT_CONFIG = '~/.slapos/slapos-client.cfg';
/** The environment variable naming the client configuration, as in the original. */
const CLIENT_CONFIG_VARIABLE = 'SLAPOS_CLIENT_CONFIGURATION';

/** What a client command needs to talk to a master as a person. */
export interface ClientConfig {
  /** The file it was read from. */
  readonly path: string;
  readonly masterUrl: string;
  /** The person's TLS key and certificate (never the node's, unless only those exist). */
  readonly keyFile?: string;
  readonly certFile?: string;
  /**
   * `[slapos] computer_id`, when the file is also a node's configuration: the
   * computer whose instances `list` and `info` read.
   */
  readonly computerId?: string;
  /** `[slapconsole] alias` lines: name → software release URL, in file order. */
  readonly aliases: ReadonlyMap<string, string>;
}

/** Values given on the command line; they win over the file. */
export interface ClientConfigOverrides {
  masterUrl?: string;
  keyFile?: string;
  certFile?: string;
}

/** Where things are looked up; passed in so that tests and callers choose. */
export interface ClientEnvironment {
  env: Readonly<Record<string, string | undefined>>;
  home?: string;
  cwd?: string;
}

/** `~` and `~/…` expanded against `home`; other paths resolved against `cwd`. */
function expandUserPath(path: string, where: ClientEnvironment): string {
  const home = where.home ?? homedir();
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return isAbsolute(path) ? path : resolve(where.cwd ?? process.cwd(), path);
}

/** The client configuration path: `--cfg`, else `$SLAPOS_CLIENT_CONFIGURATION`, else `~/.slapos/slapos-client.cfg`. */
export function clientConfigPath(cfg: string | undefined, where: ClientEnvironment): string {
  return expandUserPath(cfg || where.env[CLIENT_CONFIG_VARIABLE] || DEFAULT_CLIENT_CONFIG, where);
}

/** Reads and checks the client configuration at `path`. */
export function loadClientConfig(path: string, overrides: ClientConfigOverrides, where: ClientEnvironment): ClientConfig {
  if (!existsSync(path)) {
    throw new ClientError(CLIENT_ERROR_CODES.CONFIG_NOT_FOUND,
      `configuration file does not exist: ${path} (give one with --cfg or $${CLIENT_CONFIG_VARIABLE})`);
  }
  let file: ConfigFile;
  try {
    file = ConfigFile.load(path);
  } catch (error) {
    if (hasCode(error, 'CONFIG_ERR_READ')) {
      throw new ClientError(CLIENT_ERROR_CODES.CONFIG_NOT_FOUND, `cannot read configuration file ${path}: ${error.message}`, { cause: error });
    }
    throw error;
  }
  return clientConfigFromFile(file, overrides, where);
}

/**
 * The rules of the original client: key and certificate from the command
 * line, else `[slapconsole]`, else — only when both are still unset — the
 * node's own `[slapos] key_file/cert_file`; an https master needs them.
 */
export function clientConfigFromFile(file: ConfigFile, overrides: ClientConfigOverrides, where: ClientEnvironment): ClientConfig {
  const masterUrl = overrides.masterUrl ?? optional(file, 'slapos', 'master_url');
  if (!masterUrl) {
    throw new ClientError(CLIENT_ERROR_CODES.CONFIG_INVALID, `${file.filename}: no option 'master_url' in section [slapos]`);
  }
  checkMasterUrl(masterUrl, file.filename);

  let keyFile = overrides.keyFile ?? optional(file, 'slapconsole', 'key_file');
  let certFile = overrides.certFile ?? optional(file, 'slapconsole', 'cert_file');
  if (!keyFile && !certFile) {
    keyFile = optional(file, 'slapos', 'key_file');
    certFile = optional(file, 'slapos', 'cert_file');
  }
  if (masterUrl.startsWith('https:') && (!keyFile || !certFile)) {
    throw new ClientError(CLIENT_ERROR_CODES.CONFIG_INVALID,
      `${file.filename}: the master ${masterUrl} uses https, so [slapconsole] key_file and cert_file are needed`);
  }
  const paths = {
    keyFile: keyFile ? existingFile(expandUserPath(keyFile, where), 'key_file', file.filename) : undefined,
    certFile: certFile ? existingFile(expandUserPath(certFile, where), 'cert_file', file.filename) : undefined,
  };
  return { path: file.filename, masterUrl, ...paths, computerId: optional(file, 'slapos', 'computer_id'), aliases: parseAliases(file) };
}

/** A master URL must be an absolute http(s) URL; anything else would fail later with a vaguer message. */
export function checkMasterUrl(masterUrl: string, origin: string): void {
  let url: URL;
  try {
    url = new URL(masterUrl);
  } catch {
    throw new ClientError(CLIENT_ERROR_CODES.CONFIG_INVALID, `${origin}: master_url ${JSON.stringify(masterUrl)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ClientError(CLIENT_ERROR_CODES.CONFIG_INVALID, `${origin}: master_url ${JSON.stringify(masterUrl)} must start with http:// or https://`);
  }
}

/** `alias` lines are `name url`; a line of any other shape is a mistake worth stopping for. */
function parseAliases(file: ConfigFile): Map<string, string> {
  const aliases = new Map<string, string>();
  const text = optional(file, 'slapconsole', 'alias');
  if (!text) return aliases;
  for (const line of text.split('\n').map((l) => l.trim()).filter((l) => l !== '')) {
    const parts = line.split(/\s+/);
    if (parts.length !== 2) {
      throw new ClientError(CLIENT_ERROR_CODES.CONFIG_INVALID,
        `${file.filename}: [slapconsole] alias line ${JSON.stringify(line)} is not "name url"`);
    }
    const [name, url] = parts as [string, string];
    if (aliases.has(name)) {
      throw new ClientError(CLIENT_ERROR_CODES.CONFIG_INVALID, `${file.filename}: alias ${JSON.stringify(name)} is defined twice`);
    }
    aliases.set(name, url);
  }
  return aliases;
}

function optional(file: ConfigFile, section: string, option: string): string | undefined {
  if (!file.has(section, option)) return undefined;
  return file.getString(section, option).trim() || undefined;
}

function existingFile(path: string, option: string, origin: string): string {
  if (!existsSync(path)) throw new ClientError(CLIENT_ERROR_CODES.CONFIG_INVALID, `${origin}: ${option} ${path} does not exist`);
  return path;
}
