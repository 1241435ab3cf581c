import { SlapOSError } from '../errors/index.ts';

/**
 * Error codes of the configuration module (documented in docs/errors/config.md).
 * Configuration problems are the operator's to fix, so every message names the
 * file and, when known, the line, section and option.
 */
export const ConfigErrorCode = {
  READ: 'CONFIG_ERR_READ',
  SYNTAX: 'CONFIG_ERR_SYNTAX',
  MISSING: 'CONFIG_ERR_MISSING',
  VALUE: 'CONFIG_ERR_VALUE',
  INTERPOLATION: 'CONFIG_ERR_INTERPOLATION',
  UNWRITABLE: 'CONFIG_ERR_UNWRITABLE',
} as const;

export type ConfigErrorCode = (typeof ConfigErrorCode)[keyof typeof ConfigErrorCode];

/** Where an option was read: used to build messages such as `slapos.cfg:12 [slapos] master_url`. */
export interface OptionLocation {
  filename: string;
  section: string;
  option: string;
  line?: number;
}

function describeLocation(at: OptionLocation): string {
  const place = at.line === undefined ? at.filename : `${at.filename}:${at.line}`;
  return `${place} [${at.section}] ${at.option}`;
}

export function readError(filename: string, cause: unknown): SlapOSError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new SlapOSError(ConfigErrorCode.READ, `cannot read configuration file ${filename}: ${reason}`, { cause });
}

export function syntaxError(filename: string, line: number, reason: string): SlapOSError {
  return new SlapOSError(ConfigErrorCode.SYNTAX, `${filename}:${line}: ${reason}`);
}

export function missingSectionError(filename: string, section: string): SlapOSError {
  return new SlapOSError(ConfigErrorCode.MISSING, `${filename}: no section [${section}]`);
}

export function missingOptionError(filename: string, section: string, option: string): SlapOSError {
  return new SlapOSError(ConfigErrorCode.MISSING, `${filename}: no option '${option}' in section [${section}]`);
}

export function valueError(at: OptionLocation, value: string, expected: string): SlapOSError {
  return new SlapOSError(ConfigErrorCode.VALUE, `${describeLocation(at)}: ${JSON.stringify(value)} is not ${expected}`);
}

export function interpolationError(at: OptionLocation, reason: string): SlapOSError {
  return new SlapOSError(ConfigErrorCode.INTERPOLATION, `${describeLocation(at)}: ${reason}`);
}

export function unwritableError(section: string, option: string | undefined, reason: string): SlapOSError {
  const where = option === undefined ? `[${section}]` : `[${section}] ${option}`;
  return new SlapOSError(ConfigErrorCode.UNWRITABLE, `cannot write ${where} to a configuration file: ${reason}`);
}
