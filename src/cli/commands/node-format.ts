import type { Command } from 'commander';
import { createWriteStream } from 'node:fs';
import { hasCode } from '../../errors/index.ts';
import { describePlan, formatComputer, FormatErrorCode, LinuxSystem, readFormatOptions } from '../../format/index.ts';
import { action, CliExit, CliUsageError, loggerFrom } from '../context.ts';
import { loadConfigFile, withConfigFileOptions, type ConfigFileOptions } from '../node-options.ts';

interface FormatCommandOptions extends ConfigFileOptions {
  computer_xml?: string;
  computer_json?: string;
  input_definition_file?: string;
  output_definition_file?: string;
  log_file?: string;
  alter_user?: string;
  alter_network?: string;
  dryRun?: boolean;
  dry_run?: boolean;
  now?: boolean;
}

/** `slapos node format`: users, partitions and network of this node, then tell the master. */
export function registerFormatCommand(node: Command): void {
  withConfigFileOptions(node.command('format'))
    .description('create users, partitions and network configuration, and register them with the master')
    .option('-x, --computer_xml <file>', 'computer file kept between runs (created if missing)')
    .option('--computer_json <file>', 'also keep the computer as JSON')
    .option('-i, --input_definition_file <file>', 'take the computer from this definition file instead of discovering it')
    .option('-o, --output_definition_file <file>', 'write a definition file of the result')
    .option('-l, --log_file <file>', 'also log to this file')
    .option('--alter_user <bool>', 'create users and groups: True or False (default: from slapos.cfg, else True)')
    .option('--alter_network <bool>', 'create taps and addresses: True or False (default: from slapos.cfg, else True)')
    .option('-n, --dry-run', 'print the plan; change nothing, send nothing')
    .option('--dry_run', 'same as --dry-run')
    .option('--now', 'start at once instead of after a random delay of up to one hour')
    .option('-c, --console [value]', 'obsolete, accepted and ignored')
    .action(action(async (positional: string | undefined, options: FormatCommandOptions) => {
      // the log file joins once the options are validated (its directory must exist)
      const logger = loggerFrom({ ...options, logFile: undefined, logfile: undefined }, { command: 'node format' });
      const formatOptions = readFormatOptions(loadConfigFile(positional, options), {
        computerXml: options.computer_xml,
        computerJson: options.computer_json,
        inputDefinitionFile: options.input_definition_file,
        outputDefinitionFile: options.output_definition_file,
        logFile: options.log_file ?? options.logFile,
        alterUser: booleanOption('--alter_user', options.alter_user),
        alterNetwork: booleanOption('--alter_network', options.alter_network),
        dryRun: options.dryRun === true || options.dry_run === true,
        now: options.now === true,
      }, logger);
      const fileLogger = formatOptions.logFile === undefined ? logger : logger.withSink(createWriteStream(formatOptions.logFile, { flags: 'a' }));
      try {
        const result = await formatComputer(formatOptions, { logger: fileLogger, system: new LinuxSystem({ logger: fileLogger }) });
        if (!result.applied) process.stdout.write(describePlan(result.plan));
      } catch (error) {
        // HEAD's "offline success": the machine is ready, only the master was not told
        if (hasCode(error, FormatErrorCode.REPORT)) throw new CliExit(2, error.message);
        throw error;
      }
    }));
}

function booleanOption(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (/^true$/i.test(value)) return true;
  if (/^false$/i.test(value)) return false;
  throw new CliUsageError(`${name} must be True or False, not ${JSON.stringify(value)}`);
}
