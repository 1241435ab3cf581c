import type { Command } from 'commander';
import { createWriteStream } from 'node:fs';
import { ConfigFile } from '../config/index.ts';
import { hasCode } from '../errors/index.ts';
import { acquirePidLock, GRID_ERR_LOCKED, type NodeConfig, type NodeConfigOverrides, type PidLock } from '../grid/index.ts';
import type { Logger } from '../log/index.ts';
import { CliExit, CliUsageError, DEFAULT_CONFIGURATION, withLogOptions, type LogOptions } from './context.ts';

/** HEAD's exit status when another run holds the lock. */
const EXIT_LOCKED = 10;

/** `--cfg` or the positional slapos.cfg. */
export interface ConfigFileOptions extends LogOptions {
  cfg?: string;
}

/** The options of the slapgrid commands that override slapos.cfg. */
export interface NodeConfigOptions extends ConfigFileOptions {
  instanceRoot?: string;
  softwareRoot?: string;
  masterUrl?: string;
  computerId?: string;
  supervisordSocket?: string;
  supervisordConfigurationPath?: string;
  buildout?: string;
  pidfile?: string;
  key_file?: string;
  cert_file?: string;
  master_ca_file?: string;
  certificate_repository_path?: string;
  maximal_delay?: string;
  now?: boolean;
}

/** Adds the log options, the positional slapos.cfg and `--cfg`. */
export function withConfigFileOptions(command: Command): Command {
  return withLogOptions(command)
    .argument('[configuration_file]', 'slapos.cfg (the 0.32 form; same as --cfg)')
    .option('--cfg <file>', `slapos.cfg (default: $SLAPOS_CONFIGURATION or ${DEFAULT_CONFIGURATION})`);
}

/** Adds, to those of {@link withConfigFileOptions}, the directory and master options every slapgrid command takes. */
export function withNodeConfigOptions(command: Command): Command {
  return withConfigFileOptions(command)
    .option('--instance-root <dir>', 'directory holding the partitions')
    .option('--software-root <dir>', 'directory holding the software releases')
    .option('--master-url <url>', 'the master')
    .option('--computer-id <id>', 'this computer\'s reference')
    .option('--supervisord-socket <path>', 'supervisord\'s UNIX socket')
    .option('--supervisord-configuration-path <path>', 'supervisord\'s main configuration file');
}

/** Adds the TLS options of a slapgrid command talking to the master. */
export function withMasterTlsOptions(command: Command): Command {
  return command
    .option('--key_file <path>', 'TLS key for the master')
    .option('--cert_file <path>', 'TLS certificate for the master')
    .option('--master_ca_file <path>', 'CA the master\'s certificate must chain to')
    .option('--certificate_repository_path <dir>', 'where partition certificates are kept');
}

/** Adds `--maximal_delay` and `--now`. */
export function withMaximalDelayOptions(command: Command): Command {
  return command
    .option('--maximal_delay <seconds>', 'sleep a random time up to this before working')
    .option('--now', 'start at once (no random delay)');
}

/** The slapos.cfg a command reads: --cfg, else the positional file, else $SLAPOS_CONFIGURATION, else the default. */
export function loadConfigFile(positional: string | undefined, options: ConfigFileOptions): ConfigFile {
  return ConfigFile.load(options.cfg ?? positional ?? process.env.SLAPOS_CONFIGURATION ?? DEFAULT_CONFIGURATION);
}

/** The slapos.cfg overrides common to the slapgrid commands; each command adds its own. */
export function nodeConfigOverrides(options: NodeConfigOptions): NodeConfigOverrides {
  return {
    instanceRoot: options.instanceRoot,
    softwareRoot: options.softwareRoot,
    masterUrl: options.masterUrl,
    computerId: options.computerId,
    supervisordSocket: options.supervisordSocket,
    supervisordConfigurationPath: options.supervisordConfigurationPath,
    buildout: options.buildout,
    pidfile: options.pidfile,
    logfile: options.logfile,
    keyFile: options.key_file,
    certFile: options.cert_file,
    masterCaFile: options.master_ca_file,
    certificateRepositoryPath: options.certificate_repository_path,
    maximalDelay: integerOption('--maximal_delay', options.maximal_delay),
  };
}

export function integerOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value.trim())) throw new CliUsageError(`${name} must be an integer, not ${JSON.stringify(value)}`);
  return Number(value);
}

/** A repeatable option taking comma-separated ids (`--only-cp a,b --only-cp c` → [a, b, c]), as HEAD. */
export function collectIds(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((id) => id.trim()).filter(Boolean)];
}

/** `[slapos] logfile` applies when the command line names no log file. */
export function withConfigLogfile(logger: Logger, options: LogOptions, config: NodeConfig): Logger {
  return options.logfile === undefined && options.logFile === undefined && config.logfile !== undefined
    ? logger.withSink(createWriteStream(config.logfile, { flags: 'a' }))
    : logger;
}

/** Takes a slapgrid lock; another run holding it ends the command with HEAD's status {@link EXIT_LOCKED}. */
export function acquireNodeLock(path: string, logger: Logger): PidLock {
  try {
    return acquirePidLock(path, { logger });
  } catch (error) {
    throw lockedExit(error) ?? error;
  }
}

/** The CLI exit for an error saying another run holds the lock, else undefined. */
export function lockedExit(error: unknown): CliExit | undefined {
  return hasCode(error, GRID_ERR_LOCKED) ? new CliExit(EXIT_LOCKED, error.message) : undefined;
}
