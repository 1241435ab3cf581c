import type { Command } from 'commander';
import { createWriteStream } from 'node:fs';
import { ConfigFile } from '../../config/index.ts';
import { hasCode } from '../../errors/index.ts';
import { GRID_ERR_LOCKED, readNodeConfig, runNodeSoftware, type SoftwareProgressEvent } from '../../grid/index.ts';
import { action, CliExit, CliUsageError, loggerFrom, withLogOptions, type LogOptions } from '../context.ts';

const DEFAULT_CONFIGURATION = '/etc/opt/slapos/slapos.cfg';
/** The lock `slapos node software` takes when slapos.cfg names none (as the original). */
const DEFAULT_PIDFILE = '/opt/slapos/slapgrid-sr.pid';
/** HEAD's exit status when another run holds the lock. */
const EXIT_LOCKED = 10;

interface SoftwareCommandOptions extends LogOptions {
  cfg?: string;
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
  signature_private_key_file?: string;
  master_ca_file?: string;
  certificate_repository_path?: string;
  maximal_delay?: string;
  now?: boolean;
  develop?: boolean;
  all?: boolean;
  onlySr?: string[];
  only_sr?: string[];
}

/** `slapos node software`: install the software releases the master assigns to this computer. */
export function registerSoftwareCommand(node: Command): void {
  withLogOptions(node.command('software'))
    .description('install or remove the software releases the master assigns to this computer (slapgrid-sr)')
    .argument('[configuration_file]', 'slapos.cfg (the 0.32 form; same as --cfg)')
    .option('--cfg <file>', `slapos.cfg (default: $SLAPOS_CONFIGURATION or ${DEFAULT_CONFIGURATION})`)
    .option('--instance-root <dir>', 'the instance root directory')
    .option('--software-root <dir>', 'the software root directory')
    .option('--master-url <url>', 'the master URL')
    .option('--computer-id <id>', 'the computer id known by the master')
    .option('--supervisord-socket <path>', 'the supervisord socket')
    .option('--supervisord-configuration-path <path>', 'the supervisord configuration file')
    .option('--buildout <path>', 'an external zc.buildout script to build with')
    .option('--pidfile <path>', `lock file (default: [slapos] pidfile_software or pidfile, else ${DEFAULT_PIDFILE})`)
    .option('--logfile <path>', 'also log to this file')
    .option('--key_file <path>', 'TLS key for the master')
    .option('--cert_file <path>', 'TLS certificate for the master')
    .option('--signature_private_key_file <path>', 'key signing binary cache uploads')
    .option('--master_ca_file <path>', 'CA certificate of the master')
    .option('--certificate_repository_path <dir>', 'where partition certificates are stored')
    .option('--maximal_delay <seconds>', 'sleep a random time up to this before working')
    .option('--now', 'start at once, without the random delay')
    .option('--develop', 'rebuild every software release, even installed ones (same as --all)')
    .option('--all', 'rebuild every software release, even installed ones')
    .option('--only-sr <url-or-hash>', 'only (re)build this software release (URL or md5 of the URL); repeatable, or comma-separated', collect, [])
    .option('--only_sr <url-or-hash>', 'same as --only-sr', collect, [])
    .option('-c, --console', 'obsolete, accepted and ignored')
    .action(action(async (positional: string | undefined, options: SoftwareCommandOptions) => {
      const configPath = options.cfg ?? positional ?? process.env.SLAPOS_CONFIGURATION ?? DEFAULT_CONFIGURATION;
      const logger = loggerFrom(options, { command: 'node software' });
      const file = ConfigFile.load(configPath);
      const config = readNodeConfig(file, {
        instanceRoot: options.instanceRoot,
        softwareRoot: options.softwareRoot,
        masterUrl: options.masterUrl,
        computerId: options.computerId,
        supervisordSocket: options.supervisordSocket,
        supervisordConfigurationPath: options.supervisordConfigurationPath,
        buildout: options.buildout,
        pidfile: options.pidfile ?? (file.has('slapos', 'pidfile_software') ? file.getPath('slapos', 'pidfile_software') : undefined),
        keyFile: options.key_file,
        certFile: options.cert_file,
        signaturePrivateKeyFile: options.signature_private_key_file,
        masterCaFile: options.master_ca_file,
        certificateRepositoryPath: options.certificate_repository_path,
        maximalDelay: integerOption('--maximal_delay', options.maximal_delay),
      });
      // [slapos] logfile applies when the command line names none
      const runLogger = options.logfile === undefined && options.logFile === undefined && config.logfile !== undefined
        ? logger.withSink(createWriteStream(config.logfile, { flags: 'a' }))
        : logger;
      const onlySr = splitList([...(options.onlySr ?? []), ...(options.only_sr ?? [])]);
      // Ctrl-C or a stop from the service manager: the running buildout is stopped and reported as failed
      const interruption = new AbortController();
      const interrupt = (): void => interruption.abort();
      process.on('SIGINT', interrupt).on('SIGTERM', interrupt);
      try {
        const summary = await runNodeSoftware({
          config: { ...config, pidfile: config.pidfile ?? DEFAULT_PIDFILE },
          logger: runLogger,
          develop: options.develop === true || options.all === true,
          onlySr: onlySr.length > 0 ? onlySr : undefined,
          now: options.now === true,
          signal: interruption.signal,
          onProgress: (event) => {
            const line = progressLine(event);
            if (line !== undefined) process.stdout.write(`${line}\n`);
          },
        });
        if (summary.interrupted) throw new CliExit(1, 'interrupted');
        const failed = summary.results.filter((result) => result.outcome === 'failed').length;
        if (failed > 0) throw new CliExit(1, `${failed} of ${summary.results.length} software release(s) failed`);
      } catch (error) {
        if (hasCode(error, GRID_ERR_LOCKED)) throw new CliExit(EXIT_LOCKED, error.message);
        if (interruption.signal.aborted) throw new CliExit(1, 'interrupted');
        throw error;
      } finally {
        process.off('SIGINT', interrupt).off('SIGTERM', interrupt);
      }
    }));
}

/** One stdout line per step: `[2/5] <url>: building…`, then `[2/5] <url>: done in 12.3 s`. */
export function progressLine(event: SoftwareProgressEvent): string | undefined {
  const prefix = `[${event.index}/${event.total}] ${event.url}:`;
  switch (event.kind) {
    case 'begin':
      return undefined;
    case 'phase':
      return `${prefix} ${event.phase}…`;
    case 'end': {
      const took = `${event.seconds.toFixed(1)} s`;
      switch (event.outcome) {
        case 'ignored': return undefined;
        case 'up-to-date': return `${prefix} already installed`;
        case 'destroyed': return `${prefix} destroyed in ${took}`;
        case 'downloaded': return `${prefix} done in ${took} (from the binary cache)`;
        case 'installed': return `${prefix} done in ${took}`;
        case 'failed': return `${prefix} FAILED after ${took}: ${(event.error ?? '').split('\n', 1)[0]}`;
      }
    }
  }
}

function integerOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value.trim())) throw new CliUsageError(`${name} must be an integer, not ${JSON.stringify(value)}`);
  return Number(value);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** --only-sr accepts several values and comma-separated lists, as HEAD. */
function splitList(values: string[]): string[] {
  return values.flatMap((value) => value.split(',')).map((value) => value.trim()).filter((value) => value !== '');
}
