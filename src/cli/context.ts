import { Command } from 'commander';
import { Logger, type LogFormat, type LogLevel, type LogSink } from '../log/index.ts';
import { SlapOSError, messageOf } from '../errors/index.ts';
import { createWriteStream } from 'node:fs';
import { slaposCliArgv } from '../buildout/runner/index.ts';

/** The node's slapos.cfg when neither the command line nor $SLAPOS_CONFIGURATION names one, as in the original. */
export const DEFAULT_CONFIGURATION = '/etc/opt/slapos/slapos.cfg';

/** Options every command accepts for its logging. */
export interface LogOptions {
  logFormat?: string;
  logLevel?: string;
  logFile?: string;
  logfile?: string;
  verbose?: boolean;
}

/** Adds `--log-format`, `--log-level` and `-v` to a command. */
export function withLogOptions(command: Command): Command {
  return command
    .option('--log-format <format>', 'log line format: text or json', 'text')
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .option('-v, --verbose', 'same as --log-level debug');
}

/** Builds the logger a command asked for; also writes to the log file if one is given. */
export function loggerFrom(options: LogOptions, bindings: Record<string, unknown> = {}): Logger {
  const format = (options.logFormat ?? 'text') as LogFormat;
  if (format !== 'text' && format !== 'json') throw new CliUsageError(`--log-format must be text or json, not ${JSON.stringify(options.logFormat)}`);
  const level = (options.verbose ? 'debug' : options.logLevel ?? 'info') as LogLevel;
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new CliUsageError(`--log-level must be debug, info, warn or error, not ${JSON.stringify(options.logLevel)}`);
  const sinks: LogSink[] = [process.stderr];
  const file = options.logFile ?? options.logfile;
  if (file) sinks.push(createWriteStream(file, { flags: 'a' }));
  return new Logger({ format, level, sinks, bindings });
}

/** A mistake on the command line: printed as one line, exit status 1. */
export class CliUsageError extends SlapOSError {
  constructor(message: string) {
    super('CLI_ERR_USAGE', message, { status: 400 });
  }
}

/** Exit status for a command that ran but did not fully succeed (e.g. a release failed). */
export class CliExit extends Error {
  constructor(readonly exitCode: number, message = '') {
    super(message);
  }
}

/**
 * Wraps a command action: any error becomes one line on stderr and a non-zero
 * exit status, never a stack trace (unless SLAPOS_DEBUG is set).
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (error) {
      if (error instanceof CliExit) {
        if (error.message) process.stderr.write(`slapos: ${error.message}\n`);
        process.exitCode = error.exitCode;
        return;
      }
      process.stderr.write(`slapos: ${messageOf(error)}\n`);
      if (process.env.SLAPOS_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
      process.exitCode = 1;
    }
  };
}

/**
 * The argv that runs the `slapos` command with this Node binary (the same
 * one the built-in buildout runner starts): what supervisord runs as the
 * watchdog.
 */
export function slaposProgram(): string[] {
  return [process.execPath, ...slaposCliArgv()];
}
