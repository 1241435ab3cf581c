import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { ConfigFile } from '../../config/index.ts';
import {
  findExecutable, readNodeConfig, runSlapgridInstance, runSlapgridPromises, sleepMaximalDelay, startSupervisord, supervisordLayout, watchdogCommandFor,
  type NodeConfig, type SupervisordLayout,
} from '../../grid/index.ts';
import type { Logger } from '../../log/index.ts';
import { action, CliExit, CliUsageError, loggerFrom, slaposProgram } from '../context.ts';
import {
  acquireNodeLock, collectIds, integerOption, loadConfigFile, nodeConfigOverrides, withConfigLogfile, withMasterTlsOptions, withMaximalDelayOptions,
  withNodeConfigOptions, type NodeConfigOptions,
} from '../node-options.ts';

interface InstanceCommandOptions extends NodeConfigOptions {
  maximumPeriodicity?: string;
  promiseTimeout?: string;
  partitionTimeout?: string;
  force?: boolean;
  forceStop?: boolean;
  develop?: boolean;
  all?: boolean;
  onlyCp?: string[];
  only_cp?: string[];
}

function loadConfig(file: ConfigFile, options: InstanceCommandOptions): NodeConfig {
  return readNodeConfig(file, {
    ...nodeConfigOverrides(options),
    maximumPeriodicity: integerOption('--maximum-periodicity', options.maximumPeriodicity),
    promiseTimeout: integerOption('--promise-timeout', options.promiseTimeout),
    ...(options.partitionTimeout === undefined ? {} : { partitionTimeout: options.partitionTimeout }),
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

async function instanceCommand(positional: string | undefined, options: InstanceCommandOptions): Promise<void> {
  const file = loadConfigFile(positional, options);
  const config = loadConfig(file, options);
  const logger = withConfigLogfile(loggerFrom(options, { command: 'node instance' }), options, config);
  await sleepMaximalDelay({ maximalDelay: config.maximalDelay, now: options.now, logger });
  const lock = acquireNodeLock(instanceLockPath(file, config, options.pidfile), logger);
  try {
    const onlyCp = [...(options.onlyCp ?? []), ...(options.only_cp ?? [])];
    const result = await runSlapgridInstance({
      config,
      logger,
      force: options.force === true || options.develop === true || options.all === true,
      forceStop: options.forceStop === true,
      forbidSupervisordLaunch: forbidLaunch(file),
      watchdogCommand: watchdogCommandFor(config, slaposProgram()),
      ...(onlyCp.length > 0 ? { onlyCp } : {}),
    });
    if (result.exitCode === 3) throw new CliExit(3, 'the master cannot be reached: services started offline');
    if (result.exitCode !== 0) {
      const failed = result.failures.map((f) => f.id).join(', ');
      throw new CliExit(result.exitCode, result.exitCode === 2 ? `promises failed in: ${failed}` : `processing failed for: ${failed}`);
    }
  } finally {
    lock.release();
  }
}

/**
 * `slapos node promise`: the promises of the started partitions, checked as
 * after a deployment. It shares the instance run's lock, as the original.
 */
async function promiseCommand(positional: string | undefined, options: InstanceCommandOptions): Promise<void> {
  const file = loadConfigFile(positional, options);
  const config = loadConfig(file, options);
  const logger = withConfigLogfile(loggerFrom(options, { command: 'node promise' }), options, config);
  await sleepMaximalDelay({ maximalDelay: config.maximalDelay, now: options.now, logger });
  const lock = acquireNodeLock(instanceLockPath(file, config, options.pidfile), logger);
  try {
    const onlyCp = [...(options.onlyCp ?? []), ...(options.only_cp ?? [])];
    const result = await runSlapgridPromises({ config, logger, ...(onlyCp.length > 0 ? { onlyCp } : {}) });
    if (result.exitCode !== 0) throw new CliExit(result.exitCode, `promises failed in: ${result.failures.map((f) => f.id).join(', ')}`);
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

/**
 * `slapos node supervisorctl …` and its verbs (`node status slappart0:*`):
 * a first word that is not a .cfg file is already a supervisorctl word.
 */
async function supervisorctlCommand(command: string, verb: string[], positional: string | undefined, words: string[], options: InstanceCommandOptions): Promise<void> {
  const [configFile, rest] = positional !== undefined && !positional.endsWith('.cfg') ? [undefined, [positional, ...words]] : [positional, words];
  const file = loadConfigFile(configFile, options);
  const layout = await startNodeSupervisord(loadConfig(file, options), loggerFrom(options, { command }), forbidLaunch(file));
  const code = await supervisorctl(layout, [...verb, ...rest]);
  if (code !== 0) throw new CliExit(code);
}

function registerSupervisorctlVerb(node: Command, verb: string, description: string): void {
  withNodeConfigOptions(node.command(verb))
    .description(description)
    .argument('[names...]', 'process names, groups (`slappart0:*`) or `all`')
    .passThroughOptions()
    .action(action(async (positional: string | undefined, names: string[], options: InstanceCommandOptions) => {
      await supervisorctlCommand(`node ${verb}`, [verb], positional, names, options);
    }));
}

/**
 * `slapos node instance` (deploy the instances of this computer), `slapos
 * node promise`, `slapos node supervisord` and the supervisorctl
 * pass-through commands.
 */
export function registerInstanceCommands(node: Command): void {
  withMaximalDelayOptions(withMasterTlsOptions(withNodeConfigOptions(node.command('instance'))))
    .description('deploy the instances the master assigned to this computer\'s partitions, start their services and check their promises')
    .option('--buildout <path>', 'an external zc.buildout script (default: the built-in engine)')
    .option('--pidfile <path>', 'lock file (default: [slapos] pidfile_instance, else <instance_root>/.slapgrid-cp.pid)')
    .option('--logfile <path>', 'also log to this file')
    .option('--maximum-periodicity <seconds>', 'process an up-to-date partition anyway after this long')
    .option('--promise-timeout <seconds>', 'time each promise may take', '3')
    .option('--partition-timeout <seconds>', 'time a partition\'s buildout may take (default: [slapos] partition_timeout, else no limit)')
    .option('--force', 'process every partition, even up-to-date ones')
    .option('--force-stop', 'deploy the partitions requested started but stop their services (their timestamp is kept)')
    .option('--develop', 'same as --force (deprecated)')
    .option('--all', 'same as --force')
    .option('--only-cp <ids>', 'process only these partitions (comma separated, repeatable)', collectIds)
    .option('--only_cp <ids>', 'same as --only-cp', collectIds)
    .action(action(instanceCommand));

  withMaximalDelayOptions(withMasterTlsOptions(withNodeConfigOptions(node.command('promise'))))
    .description('check the promises of the started partitions (all of them, now), without deploying anything')
    .option('--pidfile <path>', 'lock file, shared with node instance (default: [slapos] pidfile_instance, else <instance_root>/.slapgrid-cp.pid)')
    .option('--logfile <path>', 'also log to this file')
    .option('--promise-timeout <seconds>', 'time each promise may take', '3')
    .option('--only-cp <ids>', 'check only these partitions (comma separated, repeatable)', collectIds)
    .option('--only_cp <ids>', 'same as --only-cp', collectIds)
    .action(action(promiseCommand));

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
      await supervisorctlCommand('node supervisorctl', [], positional, args, options);
    }));

  registerSupervisorctlVerb(node, 'status', 'show the state of the instances\' processes (supervisorctl status)');
  registerSupervisorctlVerb(node, 'start', 'start processes (supervisorctl start)');
  registerSupervisorctlVerb(node, 'stop', 'stop processes (supervisorctl stop)');
  registerSupervisorctlVerb(node, 'restart', 'restart processes (supervisorctl restart)');
  registerSupervisorctlVerb(node, 'tail', 'show the output of a process (supervisorctl tail)');
}
