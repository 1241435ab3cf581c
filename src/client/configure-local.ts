import { existsSync, lstatSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { isIP, isIPv4 } from 'node:net';
import { join, resolve } from 'node:path';
import { formatConfig } from '../config/index.ts';
import { ClientError, CLIENT_ERROR_CODES } from './errors.ts';

/** The computer a local node registers as, as in the original. */
export const LOCAL_COMPUTER_ID = 'local_computer';

/** What `slapos configure local` is asked for (the original's options). */
export interface LocalNodeOptions {
  /** Everything goes under this directory; `/` gives the original's system paths. */
  baseDirectory: string;
  /** False: no users, no network changes, so a person without root can run the node. */
  asRoot: boolean;
  interfaceName: string;
  partitionNumber: number;
  ipv4LocalNetwork: string;
  daemonListenIp: string;
  daemonListenPort: number;
  /** Each defaults to its place under `baseDirectory`. */
  instanceRoot?: string;
  softwareRoot?: string;
  buildoutDirectory?: string;
  configurationDirectory?: string;
}

/** Where a local node keeps everything; what `configure local` printed for the person. */
export interface LocalNodeLayout {
  configPath: string;
  configurationDirectory: string;
  instanceRoot: string;
  softwareRoot: string;
  /** The node's own working directory: logs, computer description, proxy database, lock files. */
  buildoutDirectory: string;
  logDirectory: string;
  runDirectory: string;
  computerXml: string;
  databasePath: string;
  masterUrl: string;
}

/** Rejects options that would give a node that cannot start, naming the option. */
function checkLocalNodeOptions(options: LocalNodeOptions): LocalNodeOptions {
  const invalid = (option: string, why: string) => new ClientError(CLIENT_ERROR_CODES.INVALID_OPTION, `${option}: ${why}`);
  if (!Number.isInteger(options.partitionNumber) || options.partitionNumber < 1 || options.partitionNumber > 1000) {
    throw invalid('--partition-number', `must be an integer from 1 to 1000, not ${options.partitionNumber}`);
  }
  if (!/^[\w.:-]{1,15}$/.test(options.interfaceName)) {
    throw invalid('--interface-name', `${JSON.stringify(options.interfaceName)} is not a network interface name`);
  }
  const [address, prefix, ...extra] = options.ipv4LocalNetwork.split('/');
  const prefixLength = Number(prefix);
  if (extra.length > 0 || !isIPv4(address ?? '') || !/^\d{1,2}$/.test(prefix ?? '') || prefixLength > 30) {
    throw invalid('--ipv4-local-network', `${JSON.stringify(options.ipv4LocalNetwork)} is not an IPv4 network such as 10.0.0.0/16`);
  }
  if (!isIP(options.daemonListenIp)) throw invalid('--daemon-listen-ip', `${JSON.stringify(options.daemonListenIp)} is not an IP address`);
  if (!Number.isInteger(options.daemonListenPort) || options.daemonListenPort < 1 || options.daemonListenPort > 65535) {
    throw invalid('--daemon-listen-port', `must be a port number from 1 to 65535, not ${options.daemonListenPort}`);
  }
  return options;
}

/** The paths of a local node; with base `/` they are the original's defaults. */
export function localNodeLayout(options: LocalNodeOptions): LocalNodeLayout {
  const base = resolve(options.baseDirectory);
  const configurationDirectory = resolve(options.configurationDirectory ?? join(base, 'etc/opt/slapos'));
  const buildoutDirectory = resolve(options.buildoutDirectory ?? join(base, 'opt/slapos'));
  const host = options.daemonListenIp.includes(':') ? `[${options.daemonListenIp}]` : options.daemonListenIp;
  return {
    configPath: join(configurationDirectory, 'slapos.cfg'),
    configurationDirectory,
    instanceRoot: resolve(options.instanceRoot ?? join(base, 'srv/slapgrid')),
    softwareRoot: resolve(options.softwareRoot ?? join(base, 'opt/slapgrid')),
    buildoutDirectory,
    logDirectory: join(buildoutDirectory, 'log'),
    runDirectory: join(buildoutDirectory, 'var/run'),
    computerXml: join(buildoutDirectory, 'slapos.xml'),
    databasePath: join(buildoutDirectory, 'proxy.db'),
    masterUrl: `http://${host}:${options.daemonListenPort}`,
  };
}

/**
 * The node configuration: one file serving the proxy, slapformat, slapgrid
 * and the client commands. Without root, slapformat neither creates users nor
 * touches the network, and lock files live in the node's own directory.
 */
function localNodeConfig(options: LocalNodeOptions, layout: LocalNodeLayout): Record<string, Record<string, string>> {
  const alter = options.asRoot ? 'true' : 'false';
  return {
    slapos: {
      master_url: layout.masterUrl,
      computer_id: LOCAL_COMPUTER_ID,
      software_root: layout.softwareRoot,
      instance_root: layout.instanceRoot,
      root_check: alter,
      pidfile_software: join(layout.runDirectory, 'slapos-node-software.pid'),
      pidfile_instance: join(layout.runDirectory, 'slapos-node-instance.pid'),
      pidfile_report: join(layout.runDirectory, 'slapos-node-report.pid'),
    },
    slapformat: {
      interface_name: options.interfaceName,
      ipv4_local_network: options.ipv4LocalNetwork,
      partition_amount: String(options.partitionNumber),
      partition_base_name: 'slappart',
      user_base_name: 'slapuser',
      tap_base_name: 'slaptap',
      create_tap: 'false',
      alter_user: alter,
      alter_network: alter,
      computer_xml: layout.computerXml,
      log_file: join(layout.logDirectory, 'slapos-node-format.log'),
    },
    slapproxy: {
      host: options.daemonListenIp,
      port: String(options.daemonListenPort),
      database_uri: layout.databasePath,
      log_file: join(layout.logDirectory, 'slapproxy.log'),
    },
    // Empty on purpose: a local node builds everything itself.
    networkcache: {},
  };
}

/**
 * Writes a ready-to-use one-machine node: its slapos.cfg and every directory
 * it needs. Refuses to touch an existing configuration (as the original), so
 * running it twice never overwrites a person's node.
 */
export function configureLocalNode(options: LocalNodeOptions): LocalNodeLayout {
  checkLocalNodeOptions(options);
  const layout = localNodeLayout(options);
  if (existsSync(layout.configPath)) {
    throw new ClientError(CLIENT_ERROR_CODES.ALREADY_CONFIGURED, `a SlapOS configuration already exists at ${layout.configPath}; remove it or choose another directory`);
  }
  // Render first: a value the file format cannot carry fails before anything is created.
  const text = formatConfig(localNodeConfig(options, layout));
  mkdirSync(layout.configurationDirectory, { recursive: true, mode: 0o755 });
  for (const directory of [layout.instanceRoot, layout.softwareRoot]) mkdirSync(directory, { recursive: true, mode: 0o755 });
  for (const directory of [layout.logDirectory, layout.runDirectory]) mkdirSync(directory, { recursive: true, mode: 0o700 });
  writeFileSync(layout.configPath, text, { mode: 0o644, flag: 'wx' });
  return layout;
}

/**
 * Points the person's default client configuration at the node's, so that
 * `slapos request` talks to the local proxy without `--cfg` — unless they
 * already have one, which is left alone. Returns the link made, if any.
 */
export function linkClientConfig(home: string, nodeConfigPath: string): string | undefined {
  const directory = join(home, '.slapos');
  const link = join(directory, 'slapos-client.cfg');
  if (exists(link)) return undefined;
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  symlinkSync(nodeConfigPath, link);
  return link;
}

/** Like existsSync, but a dangling symlink counts as existing (it is still the person's file). */
function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
