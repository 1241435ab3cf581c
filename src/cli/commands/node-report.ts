import type { Command } from 'commander';
import { join } from 'node:path';
import type { ConfigFile } from '../../config/index.ts';
import { bangComputer, bootNode, readNodeConfig, runSlapgridReport, runWatchdog, sleepMaximalDelay, watchdogCommandFor } from '../../grid/index.ts';
import { action, CliExit, CliUsageError, loggerFrom, withLogOptions, slaposProgram, type LogOptions } from '../context.ts';
import {
  acquireNodeLock, loadConfigFile, nodeConfigOverrides, withConfigFileOptions, withConfigLogfile, withMasterTlsOptions, withMaximalDelayOptions,
  withNodeConfigOptions, type ConfigFileOptions, type NodeConfigOptions,
} from '../node-options.ts';

interface BangCommandOptions extends ConfigFileOptions {
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

async function reportCommand(positional: string | undefined, options: NodeConfigOptions): Promise<void> {
  const config = readNodeConfig(loadConfigFile(positional, options), nodeConfigOverrides(options));
  const logger = withConfigLogfile(loggerFrom(options, { command: 'node report' }), options, config);
  await sleepMaximalDelay({ maximalDelay: config.maximalDelay, now: options.now, logger });
  const lock = acquireNodeLock(config.pidfile ?? join(config.instanceRoot, '.slapgrid-ur.pid'), logger);
  try {
    const result = await runSlapgridReport({ config, logger, watchdogCommand: watchdogCommandFor(config, slaposProgram()) });
    if (result.exitCode !== 0) throw new CliExit(1, `report failed for: ${result.failures.map((f) => f.id).join(', ')}`);
  } finally {
    lock.release();
  }
}

/** Whether `[section] name` is set to something other than blanks (bang and boot read such options as absent). */
function isSet(file: ConfigFile, section: string, name: string): boolean {
  return file.has(section, name) && file.getString(section, name).trim() !== '';
}

async function bangCommand(positional: string | undefined, options: BangCommandOptions): Promise<void> {
  const file = loadConfigFile(positional, options);
  const optional = (name: string): string | undefined => (isSet(file, 'slapos', name) ? file.getPath('slapos', name) : undefined);
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

/** The `[slapformat]` option, else none: boot reads the few it needs as 1.x does. */
function formatOption(file: ConfigFile, name: string): string | undefined {
  return isSet(file, 'slapformat', name) ? file.getString('slapformat', name).trim() : undefined;
}

async function bootCommand(positional: string | undefined, options: BangCommandOptions): Promise<void> {
  const file = loadConfigFile(positional, options);
  const rootCheck = file.has('slapos', 'root_check') ? file.getBool('slapos', 'root_check') : true;
  if (rootCheck && process.getuid?.() !== 0) {
    throw new CliUsageError('slapos node boot must be run as root (or set root_check = false in [slapos])');
  }
  await bootNode({
    configPath: file.filename,
    instanceRoot: file.getPath('slapos', 'instance_root'),
    partitionBaseName: formatOption(file, 'partition_base_name') ?? 'slappart',
    masterUrl: file.getString('slapos', 'master_url'),
    message: options.message ?? 'Reboot',
    slapos: slaposProgram(),
    env: process.env,
    logger: loggerFrom(options, { command: 'node boot' }),
    ...withIpv6Interface(formatOption(file, 'ipv6_interface') ?? formatOption(file, 'interface_name')),
  });
}

function withIpv6Interface(name: string | undefined): { ipv6Interface?: string } {
  return name === undefined ? {} : { ipv6Interface: name };
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
export function registerReportCommands(node: Command): void {
  withMaximalDelayOptions(withMasterTlsOptions(withNodeConfigOptions(node.command('report'))))
    .description('send the instances\' usage to the master and destroy the instances it wants destroyed (slapgrid-ur)')
    .option('--pidfile <path>', 'lock file (default: pidfile of slapos.cfg, else <instance_root>/.slapgrid-ur.pid)')
    .option('--logfile <path>', 'also log to this file')
    .action(action(reportCommand));

  withConfigFileOptions(node.command('bang'))
    .description('tell the master something happened to this computer, so that all its partitions are reprocessed')
    .option('-m, --message <message>', 'message for bang')
    .action(action(bangCommand));

  withConfigFileOptions(node.command('boot'))
    .description('at machine start: wait for IPv6, format until the master is told, bang, and forget the partitions\' timestamps')
    .option('-m, --message <message>', 'message for bang', 'Reboot')
    .action(action(bootCommand));

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
