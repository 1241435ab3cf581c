/**
 * slapformat's options: `[slapformat]` and `[slapos]` of slapos.cfg merged
 * with the command line, validated in full before anything is touched, so a
 * bad value stops the run with one message naming the option.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ConfigFile } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import { FormatError, FormatErrorCode, optionError } from './errors.ts';
import { formatCidr, parseCidr, type Network } from './ip.ts';

export interface FormatOptions {
  computerId: string;
  masterUrl: string;
  instanceRoot: string;
  softwareRoot: string;
  keyFile?: string;
  certFile?: string;
  masterCaFile?: string;
  /** The computer file (xml_marshaller) kept between runs. */
  computerXml: string;
  /** Also keep the computer as JSON (HEAD's computer_json). */
  computerJson?: string;
  inputDefinitionFile?: string;
  outputDefinitionFile?: string;
  logFile?: string;
  partitionAmount: number;
  partitionBaseName: string;
  userBaseName: string;
  tapBaseName: string;
  softwareUser: string;
  interfaceName?: string;
  /** Interface holding the global IPv6 addresses (defaults to interfaceName). */
  ipv6Interface?: string;
  ipv4LocalNetwork?: Network;
  createTap: boolean;
  alterUser: boolean;
  alterNetwork: boolean;
  dryRun: boolean;
  /** Skip the random start delay. */
  now: boolean;
}

/** Command-line values; a value that is not undefined wins over the file. */
export interface FormatOverrides {
  computerXml?: string;
  computerJson?: string;
  inputDefinitionFile?: string;
  outputDefinitionFile?: string;
  logFile?: string;
  alterUser?: boolean;
  alterNetwork?: boolean;
  dryRun?: boolean;
  now?: boolean;
}

/** Names useradd accepts everywhere (portable user names). */
export const USER_NAME = /^[a-z_][a-z0-9_-]*$/;
/** Names safe as one path component and as a network interface name. */
export const PATH_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
/** useradd refuses longer names. */
const USER_NAME_MAX = 32;
/** Linux IFNAMSIZ minus the terminating NUL. */
const INTERFACE_NAME_MAX = 15;

/**
 * Reads the options the way the original does: for each option the command
 * line, then `[slapformat]`, then `[slapos]`; the first non-empty value wins.
 */
export function readFormatOptions(config: ConfigFile, overrides: FormatOverrides, logger: Logger): FormatOptions {
  if (!config.hasSection('slapformat')) {
    throw new FormatError(FormatErrorCode.CONFIG, `${config.filename}: no [slapformat] section (slapformat needs partition_amount, computer_xml...)`);
  }
  const sectionOf = (option: string): string | undefined =>
    ['slapformat', 'slapos'].find((section) => config.hasSection(section) && config.has(section, option) && config.getString(section, option).trim() !== '');
  const text = (option: string): string | undefined => {
    const section = sectionOf(option);
    return section === undefined ? undefined : config.getString(section, option).trim();
  };
  const path = (option: string, override?: string): string | undefined => {
    if (override !== undefined) return resolve(override);
    const section = sectionOf(option);
    return section === undefined ? undefined : config.getPath(section, option);
  };
  const required = <T>(option: string, value: T | undefined): T => {
    if (value === undefined) throw new FormatError(FormatErrorCode.CONFIG, `${config.filename}: option '${option}' is not defined (in [slapformat] or [slapos])`);
    return value;
  };
  const bool = (option: string, fallback: boolean): boolean => {
    const value = text(option);
    if (value === undefined) return fallback;
    // the original accepts only true/false here, unlike ConfigParser.getboolean
    if (/^true$/i.test(value)) return true;
    if (/^false$/i.test(value)) return false;
    throw optionError(option, `must be True or False, not ${JSON.stringify(value)}`);
  };

  let interfaceName = text('interface_name');
  if (interfaceName === undefined && text('bridge_name') !== undefined) {
    interfaceName = text('bridge_name');
    logger.warn('bridge_name option is deprecated and should be replaced by interface_name.');
  }
  let createTap = bool('create_tap', true);
  if (text('create_tap') === undefined && text('no_bridge') !== undefined) {
    // as in the original, any value of no_bridge turns taps off
    createTap = false;
    logger.warn('no_bridge option is deprecated and should be replaced by create_tap.');
  }

  const options: FormatOptions = {
    computerId: required('computer_id', text('computer_id')),
    masterUrl: required('master_url', text('master_url')),
    instanceRoot: required('instance_root', path('instance_root')),
    softwareRoot: required('software_root', path('software_root')),
    keyFile: path('key_file'),
    certFile: path('cert_file'),
    masterCaFile: path('master_ca_file'),
    computerXml: required('computer_xml', path('computer_xml', overrides.computerXml)),
    computerJson: path('computer_json', overrides.computerJson),
    inputDefinitionFile: path('input_definition_file', overrides.inputDefinitionFile),
    outputDefinitionFile: path('output_definition_file', overrides.outputDefinitionFile),
    logFile: path('log_file', overrides.logFile),
    partitionAmount: partitionAmount(required('partition_amount', text('partition_amount'))),
    partitionBaseName: text('partition_base_name') ?? 'slappart',
    userBaseName: text('user_base_name') ?? 'slapuser',
    tapBaseName: text('tap_base_name') ?? 'slaptap',
    softwareUser: text('software_user') ?? 'slapsoft',
    interfaceName,
    ipv6Interface: text('ipv6_interface') ?? interfaceName,
    ipv4LocalNetwork: ipv4Network(text('ipv4_local_network')),
    createTap,
    alterUser: overrides.alterUser ?? bool('alter_user', true),
    alterNetwork: overrides.alterNetwork ?? bool('alter_network', true),
    dryRun: overrides.dryRun ?? false,
    now: overrides.now ?? false,
  };
  checkNames(options);
  checkNetwork(options);
  checkFiles(options);
  return options;
}

function partitionAmount(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw optionError('partition_amount', `must be a whole number of at least 1, not ${JSON.stringify(value)}`);
  const amount = Number(value);
  if (!Number.isSafeInteger(amount)) throw optionError('partition_amount', `${value} is too large`);
  return amount;
}

function ipv4Network(value: string | undefined): Network | undefined {
  if (value === undefined) return undefined;
  const network = parseCidr(value);
  if (!network || network.family !== 4) throw optionError('ipv4_local_network', `${JSON.stringify(value)} is not an IPv4 network in CIDR notation (e.g. 10.0.0.0/16)`);
  if (network.prefixlen > 30) throw optionError('ipv4_local_network', `${formatCidr(network)} is too small to hold partition addresses`);
  return network;
}

/** Base names become user, directory and interface names: only safe characters, and short enough. */
function checkNames(options: FormatOptions): void {
  const digits = String(options.partitionAmount - 1).length;
  const check = (option: string, value: string, pattern: RegExp, max: number, suffixDigits: number): void => {
    if (!pattern.test(value)) throw optionError(option, `${JSON.stringify(value)} contains characters unsafe in a user, directory or interface name (allowed: ${pattern.source})`);
    if (value.length + suffixDigits > max) throw optionError(option, `${JSON.stringify(value)} is too long: with the partition number it must fit in ${max} characters`);
  };
  check('partition_base_name', options.partitionBaseName, PATH_NAME, 255, digits);
  check('user_base_name', options.userBaseName, USER_NAME, USER_NAME_MAX, digits);
  check('software_user', options.softwareUser, USER_NAME, USER_NAME_MAX, 0);
  if (options.createTap) check('tap_base_name', options.tapBaseName, PATH_NAME, INTERFACE_NAME_MAX, digits);
  for (const [option, value] of [['interface_name', options.interfaceName], ['ipv6_interface', options.ipv6Interface]] as const) {
    if (value !== undefined) check(option, value, PATH_NAME, INTERFACE_NAME_MAX, 0);
  }
}

function checkNetwork(options: FormatOptions): void {
  if (!options.alterNetwork) return;
  if (options.interfaceName === undefined) throw optionError('interface_name', 'is required when alter_network is True');
  if (options.ipv4LocalNetwork === undefined) throw optionError('ipv4_local_network', 'is required when alter_network is True');
}

function checkFiles(options: FormatOptions): void {
  for (const [option, file] of [['key_file', options.keyFile], ['cert_file', options.certFile], ['master_ca_file', options.masterCaFile], ['input_definition_file', options.inputDefinitionFile]] as const) {
    if (file !== undefined && !existsSync(file)) throw optionError(option, `file ${file} does not exist`);
  }
  if (options.logFile !== undefined && !existsSync(dirname(options.logFile))) throw optionError('log_file', `directory ${dirname(options.logFile)} does not exist`);
}
