import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigFile } from '../../config/index.ts';
import { hasCode } from '../../errors/index.ts';
import {
  acquirePidLock, findExecutable, readNodeConfig, runSlapgridInstance, startSupervisord, supervisordLayout, watchdogCommandFor,
  type NodeConfig, type SupervisordLayout,
} from '../../grid/index.ts';
import type { Logger } from '../../log/index.ts';
import { action, CliExit, CliUsageError, loggerFrom, withLogOptions, slaposProgram, type LogOptions } from '../context.ts';

const DEFAULT_CONFIGURATION = '/etc/opt/slapos/slapos.cfg';
/** HEAD's exit status when another run holds the lock. */
const EXIT_LOCKED = 10;

interface NodeConfigOptions extends LogOptions {
  cfg?: string;
  instanceRoot?: string;
  softwareRoot?: string;
  masterUrl?: string;
  computerId?: string;
  supervisordSocket?: string;
  supervisordConfigurationPath?: string;
}

interface InstanceCommandOptions extends NodeConfigOptions {
  buildout?: string;
  pidfile?: string;
  key_file?: string;
  cert_file?: string;
  master_ca_file?: string;
  certificate_repository_path?: string;
  maximumPeriodicity?: string;
  promiseTimeout?: string;
  maximal_delay?: string;
  now?: boolean;
  force?: boolean;
  develop?: boolean;
  all?: boolean;
  onlyCp?: string[];
  only_cp?: string[];
}

function integerOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value.trim())) throw new CliUsageError(`${name} must be an integer, not ${JSON.stringify(value)}`);
  return Number(value);
}

/** `--only-cp a,b --only-cp c` → [a, b, c]. */
function collectIds(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((id) => id.trim()).filter(Boolean)];
}

function withNodeConfigOptions(command: Command): Command {
  return withLogOptions(command)
    .argument('[configuration_file]', 'slapos.cfg (the 0.32 form; same as --cfg)')
    .option('--cfg <file>', `slapos.cfg (default: $SLAPOS_CONFIGURATION or ${DEFAULT_CONFIGURATION})`)
    .option('--instance-root <dir>', 'directory holding the partitions')
    .option('--software-root <dir>', 'directory holding the software releases')
    .option('--master-url <url>', 'the master')
    .option('--computer-id <id>', 'this computer\'s reference')
    .option('--supervisord-socket <path>', 'supervisord\'s UNIX socket')
    .option('--supervisord-configuration-path <path>', 'supervisord\'s main configuration file');
}

function loadConfigFile(positional: string | undefined, options: InstanceCommandOptions): ConfigFile {
  return ConfigFile.load(options.cfg ?? positional ?? process.env.SLAPOS_CONFIGURATION ?? DEFAULT_CONFIGURATION);
}

function loadConfig(file: ConfigFile, options: InstanceCommandOptions): NodeConfig {
  return readNodeConfig(file, {
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
    maximumPeriodicity: integerOption('--maximum-periodicity', options.maximumPeriodicity),
    promiseTimeout: integerOption('--promise-timeout', options.promiseTimeout),
  });
}

function layoutOf(config: NodeConfig): SupervisordLayout {
  return supervisordLayout(config.instanceRoot, { socketPath: config.supervisordSocket, configPath: config.supervisordConfigurationPath });
}

/**
 * The lock of `node instance`: --pidfile, else `[slapos] pidfile_instance`,
 * else one per instance root. `[slapos] pidfile` is not used: the original's
 * commands always replaced it by their own file, so software and instance
 * runs never share a lock.
 */
function instanceLockPath(file: ConfigFile, config: NodeConfig, cliPidfile: string | undefined): string {
  if (cliPidfile !== undefined) return cliPidfile;
  if (file.has('slapos', 'pidfile_instance')) return file.getPath('slapos', 'pidfile_instance');
  return join(config.instanceRoot, '.slapgrid-cp.pid');
}

/** The original's random sleep (`maximal_delay`), so that a fleet of nodes does not hit the master at once. */
async function randomDelay(config: NodeConfig, now: boolean, logger: Logger): Promise<void> {
  if (now || config.maximalDelay <= 0) return;
  const seconds = Math.floor(Math.random() * config.maximalDelay);
  logger.info(`Sleeping for ${seconds} seconds. To disable this feature, use --now.`);
  await sleep(seconds * 1000);
}

async function instanceCommand(positional: string | undefined, options: InstanceCommandOptions): Promise<void> {
  const file = loadConfigFile(positional, options);
  const config = loadConfig(file, options);
  const cliLogger = loggerFrom(options, { command: 'node instance' });
  // [slapos] logfile applies when the command line names none
  const logger = options.logfile === undefined && options.logFile === undefined && config.logfile !== undefined
    ? cliLogger.withSink(createWriteStream(config.logfile, { flags: 'a' }))
    : cliLogger;
  await randomDelay(config, options.now === true, logger);
  let lock;
  try {
    lock = acquirePidLock(instanceLockPath(file, config, options.pidfile), { logger });
  } catch (error) {
    if (hasCode(error, 'GRID_ERR_LOCKED')) throw new CliExit(EXIT_LOCKED, error.message);
    throw error;
  }
  try {
    const onlyCp = [...(options.onlyCp ?? []), ...(options.only_cp ?? [])];
    const result = await runSlapgridInstance({
      config,
      logger,
      force: options.force === true || options.develop === true || options.all === true,
      forbidSupervisordLaunch: forbidLaunch(file),
      watchdogCommand: watchdogCommandFor(config, slaposProgram()),
      ...(onlyCp.length > 0 ? { onlyCp } : {}),
    });
    if (result.exitCode !== 0) {
      const failed = result.failures.map((f) => f.id).join(', ');
      throw new CliExit(result.exitCode, result.exitCode === 2 ? `promises failed in: ${failed}` : `processing failed for: ${failed}`);
    }
  } finally {
    lock.release();
  }
}

/** `[slapos] forbid_supervisord_automatic_launch` (HEAD): never start supervisord from slapgrid. */
function forbidLaunch(file: ConfigFile): boolean {
  return file.getBool('slapos', 'forbid_supervisord_automatic_launch', false);
}

/** Starts supervisord if it is not running, with an up-to-date main configuration (watchdog included). */
async function startNodeSupervisord(config: NodeConfig, logger: Logger, forbid = false): Promise<SupervisordLayout> {
  const layout = layoutOf(config);
  await startSupervisord(layout, { logger, forbidLaunch: forbid, watchdogCommand: watchdogCommandFor(config, slaposProgram()) });
  return layout;
}

/** Runs supervisorctl against the instance root's supervisord, with our stdio; resolves with its exit status. */
async function supervisorctl(layout: SupervisordLayout, args: string[]): Promise<number> {
  const binary = await findExecutable('supervisorctl', process.env.PATH);
  if (!binary) throw new CliUsageError('supervisorctl not found (install the Debian package "supervisor")');
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['-c', layout.configPath, ...args], { stdio: 'inherit', env: process.env });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

function registerSupervisorctlVerb(node: Command, verb: string, description: string): void {
  withNodeConfigOptions(node.command(verb))
    .description(description)
    .argument('[names...]', 'process names, groups (`slappart0:*`) or `all`')
    .passThroughOptions()
    .action(action(async (positional: string | undefined, names: string[], options: InstanceCommandOptions) => {
      // `slapos node status slappart0:*`: a first word that is not a .cfg file is a process name.
      const [configFile, words] = positional !== undefined && !positional.endsWith('.cfg') ? [undefined, [positional, ...names]] : [positional, names];
      const file = loadConfigFile(configFile, options);
      const layout = await startNodeSupervisord(loadConfig(file, options), loggerFrom(options, { command: `node ${verb}` }), forbidLaunch(file));
      const code = await supervisorctl(layout, [verb, ...words]);
      if (code !== 0) throw new CliExit(code);
    }));
}

/**
 * `slapos node instance` (deploy the instances of this computer), `slapos
 * node supervisord` and the supervisorctl pass-through commands.
 */
export function registerInstanceCommands(node: Command): void {
  withNodeConfigOptions(node.command('instance'))
    .description('deploy the instances the master assigned to this computer\'s partitions, start their services and check their promises')
    .option('--buildout <path>', 'an external zc.buildout script (default: the built-in engine)')
    .option('--pidfile <path>', 'lock file (default: [slapos] pidfile_instance, else <instance_root>/.slapgrid-cp.pid)')
    .option('--logfile <path>', 'also log to this file')
    .option('--key_file <path>', 'TLS key for the master')
    .option('--cert_file <path>', 'TLS certificate for the master')
    .option('--master_ca_file <path>', 'CA the master\'s certificate must chain to')
    .option('--certificate_repository_path <dir>', 'where partition certificates are kept')
    .option('--maximum-periodicity <seconds>', 'process an up-to-date partition anyway after this long')
    .option('--promise-timeout <seconds>', 'time each promise may take', '3')
    .option('--maximal_delay <seconds>', 'sleep a random time up to this before working')
    .option('--now', 'start at once (no random delay)')
    .option('--force', 'process every partition, even up-to-date ones')
    .option('--develop', 'same as --force (deprecated)')
    .option('--all', 'same as --force')
    .option('--only-cp <ids>', 'process only these partitions (comma separated, repeatable)', collectIds)
    .option('--only_cp <ids>', 'same as --only-cp', collectIds)
    .action(action(instanceCommand));

  withNodeConfigOptions(node.command('supervisord'))
    .description('start the supervisord of the instance root if it is not running')
    .action(action(async (positional: string | undefined, options: InstanceCommandOptions) => {
      await startNodeSupervisord(loadConfig(loadConfigFile(positional, options), options), loggerFrom(options, { command: 'node supervisord' }));
    }));

  withNodeConfigOptions(node.command('supervisorctl'))
    .description('run supervisorctl against the instance root\'s supervisord (started if needed)')
    .argument('[arguments...]', 'supervisorctl arguments')
    .passThroughOptions()
    .action(action(async (positional: string | undefined, args: string[], options: InstanceCommandOptions) => {
      const [configFile, words] = positional !== undefined && !positional.endsWith('.cfg') ? [undefined, [positional, ...args]] : [positional, args];
      const file = loadConfigFile(configFile, options);
      const layout = await startNodeSupervisord(loadConfig(file, options), loggerFrom(options, { command: 'node supervisorctl' }), forbidLaunch(file));
      const code = await supervisorctl(layout, words);
      if (code !== 0) throw new CliExit(code);
    }));

  registerSupervisorctlVerb(node, 'status', 'show the state of the instances\' processes (supervisorctl status)');
  registerSupervisorctlVerb(node, 'start', 'start processes (supervisorctl start)');
  registerSupervisorctlVerb(node, 'stop', 'stop processes (supervisorctl stop)');
  registerSupervisorctlVerb(node, 'restart', 'restart processes (supervisorctl restart)');
  registerSupervisorctlVerb(node, 'tail', 'show the output of a process (supervisorctl tail)');
}
