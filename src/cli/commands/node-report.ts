import type { Command } from 'commander';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigFile } from '../../config/index.ts';
import { hasCode } from '../../errors/index.ts';
import { acquirePidLock, bangComputer, readNodeConfig, runSlapgridReport, runWatchdog, watchdogCommandFor, type NodeConfig } from '../../grid/index.ts';
import { action, CliExit, CliUsageError, loggerFrom, withLogOptions, slaposProgram, type LogOptions } from '../context.ts';

const DEFAULT_CONFIGURATION = '/etc/opt/slapos/slapos.cfg';
/** HEAD's exit status when another run holds the lock. */
const EXIT_LOCKED = 10;

interface ReportCommandOptions extends LogOptions {
  cfg?: string;
  instanceRoot?: string;
  softwareRoot?: string;
  masterUrl?: string;
  computerId?: string;
  supervisordSocket?: string;
  supervisordConfigurationPath?: string;
  pidfile?: string;
  key_file?: string;
  cert_file?: string;
  master_ca_file?: string;
  certificate_repository_path?: string;
  maximal_delay?: string;
  now?: boolean;
}

interface BangCommandOptions extends LogOptions {
  cfg?: string;
  message?: string;
}

interface WatchdogCommandOptions extends LogOptions {
  masterUrl: string;
  computerId: string;
  instanceRootPath?: string;
  instanceRoot?: string;
  certificateRepositoryPath?: string;
  keyFile?: string;
  certFile?: string;
  masterCaFile?: string;
}

function configPathOf(positional: string | undefined, cfg: string | undefined): string {
  return cfg ?? positional ?? process.env.SLAPOS_CONFIGURATION ?? DEFAULT_CONFIGURATION;
}

function loadNodeConfig(positional: string | undefined, options: ReportCommandOptions): NodeConfig {
  let maximalDelay: number | undefined;
  if (options.maximal_delay !== undefined) {
    if (!/^\d+$/.test(options.maximal_delay.trim())) throw new CliUsageError(`--maximal_delay must be an integer, not ${JSON.stringify(options.maximal_delay)}`);
    maximalDelay = Number(options.maximal_delay);
  }
  return readNodeConfig(ConfigFile.load(configPathOf(positional, options.cfg)), {
    instanceRoot: options.instanceRoot,
    softwareRoot: options.softwareRoot,
    masterUrl: options.masterUrl,
    computerId: options.computerId,
    supervisordSocket: options.supervisordSocket,
    supervisordConfigurationPath: options.supervisordConfigurationPath,
    pidfile: options.pidfile,
    logfile: options.logfile,
    keyFile: options.key_file,
    certFile: options.cert_file,
    masterCaFile: options.master_ca_file,
    certificateRepositoryPath: options.certificate_repository_path,
    maximalDelay,
  });
}

async function reportCommand(positional: string | undefined, options: ReportCommandOptions): Promise<void> {
  const logger = loggerFrom(options, { command: 'node report' });
  const config = loadNodeConfig(positional, options);
  if (!options.now && config.maximalDelay > 0) {
    const seconds = Math.floor(Math.random() * config.maximalDelay);
    logger.info(`Sleeping for ${seconds} seconds. To disable this feature, use --now.`);
    await sleep(seconds * 1000);
  }
  let lock;
  try {
    lock = acquirePidLock(config.pidfile ?? join(config.instanceRoot, '.slapgrid-ur.pid'), { logger });
  } catch (error) {
    if (hasCode(error, 'GRID_ERR_LOCKED')) throw new CliExit(EXIT_LOCKED, error.message);
    throw error;
  }
  try {
    const result = await runSlapgridReport({ config, logger, watchdogCommand: watchdogCommandFor(config, slaposProgram()) });
    if (result.exitCode !== 0) throw new CliExit(1, `report failed for: ${result.failures.map((f) => f.id).join(', ')}`);
  } finally {
    lock.release();
  }
}

async function bangCommand(positional: string | undefined, options: BangCommandOptions): Promise<void> {
  const file = ConfigFile.load(configPathOf(positional, options.cfg));
  const optional = (name: string): string | undefined => (file.has('slapos', name) && file.getString('slapos', name).trim() !== '' ? file.getPath('slapos', name) : undefined);
  const masterUrl = file.getString('slapos', 'master_url');
  const keyFile = optional('key_file');
  const certFile = optional('cert_file');
  const masterCaFile = optional('master_ca_file');
  const message = options.message ?? '';
  process.stdout.write(`Banging to '${masterUrl}'\n`);
  await bangComputer({
    masterUrl,
    computerId: file.getString('slapos', 'computer_id'),
    message,
    logger: loggerFrom(options, { command: 'node bang' }),
    ...(keyFile === undefined ? {} : { keyFile }),
    ...(certFile === undefined ? {} : { certFile }),
    ...(masterCaFile === undefined ? {} : { masterCaFile }),
  });
  process.stdout.write(`Bang with message '${message}'\n`);
}

async function watchdogCommand(options: WatchdogCommandOptions): Promise<void> {
  if ((options.keyFile === undefined) !== (options.certFile === undefined)) throw new CliUsageError('--key-file and --cert-file go together');
  const instanceRoot = options.instanceRootPath ?? options.instanceRoot;
  // stdout carries the event listener protocol only: logs go to stderr.
  await runWatchdog(process.stdin, process.stdout, {
    masterUrl: options.masterUrl,
    computerId: options.computerId,
    logger: loggerFrom(options, { command: 'node watchdog' }),
    ...(instanceRoot === undefined ? {} : { instanceRoot }),
    ...(options.certificateRepositoryPath === undefined ? {} : { certificateRepositoryPath: options.certificateRepositoryPath }),
    ...(options.keyFile === undefined ? {} : { keyFile: options.keyFile }),
    ...(options.certFile === undefined ? {} : { certFile: options.certFile }),
    ...(options.masterCaFile === undefined ? {} : { masterCaFile: options.masterCaFile }),
  });
}

/**
 * `slapos node report` (usage and destruction), `slapos node bang` (the
 * whole computer) and `slapos node watchdog` (supervisord's event listener,
 * `slapos-watchdog` in the original).
 */
export function registerReportCommands(node: Command, program: Command): void {
  void program;
  withLogOptions(node.command('report'))
    .description('send the instances\' usage to the master and destroy the instances it wants destroyed (slapgrid-ur)')
    .argument('[configuration_file]', 'slapos.cfg (the 0.32 form; same as --cfg)')
    .option('--cfg <file>', `slapos.cfg (default: $SLAPOS_CONFIGURATION or ${DEFAULT_CONFIGURATION})`)
    .option('--instance-root <dir>', 'directory holding the partitions')
    .option('--software-root <dir>', 'directory holding the software releases')
    .option('--master-url <url>', 'the master')
    .option('--computer-id <id>', 'this computer\'s reference')
    .option('--supervisord-socket <path>', 'supervisord\'s UNIX socket')
    .option('--supervisord-configuration-path <path>', 'supervisord\'s main configuration file')
    .option('--pidfile <path>', 'lock file (default: pidfile of slapos.cfg, else <instance_root>/.slapgrid-ur.pid)')
    .option('--logfile <path>', 'also log to this file')
    .option('--key_file <path>', 'TLS key for the master')
    .option('--cert_file <path>', 'TLS certificate for the master')
    .option('--master_ca_file <path>', 'CA the master\'s certificate must chain to')
    .option('--certificate_repository_path <dir>', 'where partition certificates are kept')
    .option('--maximal_delay <seconds>', 'sleep a random time up to this before working')
    .option('--now', 'start at once (no random delay)')
    .action(action(reportCommand));

  withLogOptions(node.command('bang'))
    .description('tell the master something happened to this computer, so that all its partitions are reprocessed')
    .argument('[configuration_file]', 'slapos.cfg (the 0.32 form; same as --cfg)')
    .option('--cfg <file>', `slapos.cfg (default: $SLAPOS_CONFIGURATION or ${DEFAULT_CONFIGURATION})`)
    .option('-m, --message <message>', 'message for bang')
    .action(action(bangCommand));

  withLogOptions(node.command('watchdog'))
    .description('supervisord event listener: bang a partition on the master when one of its services exits (slapos-watchdog)')
    .requiredOption('--master-url <url>', 'the master')
    .requiredOption('--computer-id <id>', 'this computer\'s reference')
    .option('--instance-root-path <dir>', 'the instance root, to bang once per deployment')
    .option('--instance-root <dir>', 'same as --instance-root-path')
    .option('--certificate-repository-path <dir>', 'partition certificates authenticating each bang')
    .option('--key-file <path>', 'the node\'s TLS key, when there is no partition certificate')
    .option('--cert-file <path>', 'the node\'s TLS certificate, when there is no partition certificate')
    .option('--master-ca-file <path>', 'CA the master\'s certificate must chain to')
    .action(action(watchdogCommand));
}
