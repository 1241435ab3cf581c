import type { Command } from 'commander';
import { readNodeConfig, runNodeSoftware, type SoftwareProgressEvent } from '../../grid/index.ts';
import { action, CliExit, loggerFrom } from '../context.ts';
import {
  collectIds, loadConfigFile, lockedExit, nodeConfigOverrides, withConfigLogfile, withMasterTlsOptions, withMaximalDelayOptions, withNodeConfigOptions,
  type NodeConfigOptions,
} from '../node-options.ts';

/** The lock `slapos node software` takes when slapos.cfg names none (as the original). */
const DEFAULT_PIDFILE = '/opt/slapos/slapgrid-sr.pid';

interface SoftwareCommandOptions extends NodeConfigOptions {
  signature_private_key_file?: string;
  develop?: boolean;
  all?: boolean;
  onlySr?: string[];
  only_sr?: string[];
}

/** `slapos node software`: install the software releases the master assigns to this computer. */
export function registerSoftwareCommand(node: Command): void {
  withMaximalDelayOptions(withMasterTlsOptions(withNodeConfigOptions(node.command('software'))))
    .description('install or remove the software releases the master assigns to this computer (slapgrid-sr)')
    .option('--buildout <path>', 'an external zc.buildout script to build with')
    .option('--pidfile <path>', `lock file (default: [slapos] pidfile_software or pidfile, else ${DEFAULT_PIDFILE})`)
    .option('--logfile <path>', 'also log to this file')
    .option('--signature_private_key_file <path>', 'key signing binary cache uploads')
    .option('--develop', 'rebuild every software release, even installed ones (same as --all)')
    .option('--all', 'rebuild every software release, even installed ones')
    .option('--only-sr <url-or-hash>', 'only (re)build this software release (URL or md5 of the URL); repeatable, or comma-separated', collectIds)
    .option('--only_sr <url-or-hash>', 'same as --only-sr', collectIds)
    .option('-c, --console', 'obsolete, accepted and ignored')
    .action(action(async (positional: string | undefined, options: SoftwareCommandOptions) => {
      const file = loadConfigFile(positional, options);
      const config = readNodeConfig(file, {
        ...nodeConfigOverrides(options),
        pidfile: options.pidfile ?? (file.has('slapos', 'pidfile_software') ? file.getPath('slapos', 'pidfile_software') : undefined),
        signaturePrivateKeyFile: options.signature_private_key_file,
      });
      const runLogger = withConfigLogfile(loggerFrom(options, { command: 'node software' }), options, config);
      const onlySr = [...(options.onlySr ?? []), ...(options.only_sr ?? [])];
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
        const locked = lockedExit(error);
        if (locked) throw locked;
        if (interruption.signal.aborted) throw new CliExit(1, 'interrupted');
        throw error;
      } finally {
        process.off('SIGINT', interrupt).off('SIGTERM', interrupt);
      }
    }));
}

/** One stdout line per step: `[2/5] <url>: building…`, then `[2/5] <url>: done in 12.3 s`. */
function progressLine(event: SoftwareProgressEvent): string | undefined {
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
