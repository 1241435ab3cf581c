import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigFile } from '../config/index.ts';
import { SlapOSError } from '../errors/index.ts';
import { NodeErrorCode } from './errors.ts';
import { parseSize } from './free-space.ts';

/** slapos.cfg has a mandatory option missing, or a value slapgrid cannot use. */
export const GRID_ERR_CONFIG = NodeErrorCode.CONFIG;

/** The `[networkcache]` options slapgrid itself uses (binary cache of software releases). */
export interface NetworkcacheConfig {
  downloadBinaryCacheUrl?: string;
  downloadBinaryDirUrl?: string;
  uploadBinaryCacheUrl?: string;
  uploadBinaryDirUrl?: string;
  /** Trusted uploader certificates (PEM, one per entry); undefined = no signature check. */
  signatureCertificateList?: string[];
  signaturePrivateKeyFile?: string;
  shacacheCertFile?: string;
  shacacheKeyFile?: string;
  shadirCertFile?: string;
  shadirKeyFile?: string;
  /** SR URL prefixes never downloaded from the binary cache. */
  downloadFromBinaryCacheUrlBlacklist: string[];
  /** SR URL prefixes never uploaded to the binary cache. */
  uploadToBinaryCacheUrlBlacklist: string[];
  /** Regular (source) cache options, only forwarded to buildout profiles. */
  uploadCacheUrl?: string;
  uploadDirUrl?: string;
}

/** The typed slapgrid configuration: `[slapos]` merged with `[networkcache]` and the command line. */
export interface NodeConfig {
  /** The slapos.cfg this was read from. */
  configPath: string;
  masterUrl: string;
  computerId: string;
  instanceRoot: string;
  softwareRoot: string;
  keyFile?: string;
  certFile?: string;
  masterCaFile?: string;
  certificateRepositoryPath?: string;
  supervisordSocket: string;
  supervisordConfigurationPath: string;
  /** Path of an external zc.buildout script; undefined = the built-in engine. */
  buildout?: string;
  pidfile?: string;
  logfile?: string;
  /** Upper bound of the random sleep before working, seconds (0 = none). */
  maximalDelay: number;
  /** Seconds after which an up-to-date partition is processed anyway. */
  maximumPeriodicity: number;
  /** True when the periodicity was given explicitly (the original then enforces it). */
  forcePeriodicity: boolean;
  promiseTimeout: number;
  /** Longest a partition's buildout may run, seconds; undefined = no limit. */
  partitionTimeout?: number;
  /** Bytes that must be available before a software release is built. */
  softwareMinFreeSpace: number;
  /** Bytes that must be available before a partition's buildout runs. */
  instanceMinFreeSpace: number;
  networkcache: NetworkcacheConfig;
}

/**
 * Command-line values; any value that is not undefined wins over the file, as
 * in the original where the argparse dict is merged over the config dict.
 */
export interface NodeConfigOverrides {
  masterUrl?: string;
  computerId?: string;
  instanceRoot?: string;
  softwareRoot?: string;
  supervisordSocket?: string;
  supervisordConfigurationPath?: string;
  buildout?: string;
  pidfile?: string;
  logfile?: string;
  keyFile?: string;
  certFile?: string;
  masterCaFile?: string;
  certificateRepositoryPath?: string;
  signaturePrivateKeyFile?: string;
  maximalDelay?: number;
  maximumPeriodicity?: number;
  promiseTimeout?: number;
  /** As written on the command line: checked like the file's value. */
  partitionTimeout?: string;
}

const CERTIFICATE_MARKER = '-----BEGIN CERTIFICATE-----';

/** The original's `promise_timeout` CLI default, which always hides the file's value. */
const DEFAULT_PROMISE_TIMEOUT = 3;
const DEFAULT_MAXIMUM_PERIODICITY = 86400;
/** The original's minimum free space for builds and deployments. */
const DEFAULT_MIN_FREE_SPACE = '1000M';
/** The longest delay a Node timer takes (2^31 - 1 ms), in seconds. */
const MAX_PARTITION_TIMEOUT = 2147483;

function configError(message: string): SlapOSError {
  return new SlapOSError(GRID_ERR_CONFIG, message, { status: 400 });
}

/**
 * Reads the slapgrid configuration the way the original does: `[networkcache]`
 * keys override `[slapos]` keys of the same name, command-line values override
 * both, then mandatory options and referenced files are checked.
 */
export function readNodeConfig(file: ConfigFile, overrides: NodeConfigOverrides = {}): NodeConfig {
  if (!file.hasSection('slapos')) throw configError(`${file.filename}: no [slapos] section`);
  const merged = new MergedOptions(file);

  const missing: string[] = [];
  const required = (cli: string | undefined, option: string): string => {
    const value = cli ?? merged.path(option) ?? merged.string(option);
    if (value === undefined || value === '') missing.push(option);
    return value ?? '';
  };
  const masterUrl = overrides.masterUrl ?? merged.string('master_url') ?? '';
  if (!masterUrl) missing.push('master_url');
  const computerId = overrides.computerId ?? merged.string('computer_id') ?? '';
  if (!computerId) missing.push('computer_id');
  const instanceRoot = required(overrides.instanceRoot, 'instance_root');
  const softwareRoot = required(overrides.softwareRoot, 'software_root');

  const keyFile = overrides.keyFile ?? merged.path('key_file');
  const certFile = overrides.certFile ?? merged.path('cert_file');
  const certificateRepositoryPath = overrides.certificateRepositoryPath ?? merged.path('certificate_repository_path');
  if (keyFile !== undefined || certFile !== undefined) {
    if (keyFile === undefined) missing.push('key_file');
    if (certFile === undefined) missing.push('cert_file');
    if (certificateRepositoryPath === undefined) missing.push('certificate_repository_path');
  }
  if (missing.length > 0) {
    throw configError(`${file.filename}: missing mandatory parameters: ${missing.join(', ')}`);
  }
  if (!/^https?:\/\//.test(masterUrl)) {
    throw configError(`${file.filename}: master_url must be an http:// or https:// URL, not ${JSON.stringify(masterUrl)}`);
  }

  const networkcache = readNetworkcache(merged, overrides.signaturePrivateKeyFile);
  const masterCaFile = overrides.masterCaFile ?? merged.path('master_ca_file');
  for (const path of [keyFile, certFile, masterCaFile, networkcache.signaturePrivateKeyFile,
    networkcache.shacacheCertFile, networkcache.shacacheKeyFile, networkcache.shadirCertFile, networkcache.shadirKeyFile]) {
    if (path !== undefined && !existsSync(path)) throw configError(`File ${JSON.stringify(path)} does not exist.`);
  }
  if (certificateRepositoryPath !== undefined && !isDirectory(certificateRepositoryPath)) {
    throw configError(`Directory ${JSON.stringify(certificateRepositoryPath)} does not exist`);
  }

  const maximumPeriodicity = overrides.maximumPeriodicity ?? merged.integer('maximum_periodicity');
  return {
    configPath: file.filename,
    masterUrl,
    computerId,
    instanceRoot,
    softwareRoot,
    keyFile,
    certFile,
    masterCaFile,
    certificateRepositoryPath,
    supervisordSocket: overrides.supervisordSocket ?? merged.path('supervisord_socket') ?? join(instanceRoot, 'supervisord.socket'),
    supervisordConfigurationPath: overrides.supervisordConfigurationPath ?? merged.path('supervisord_configuration_path')
      ?? join(instanceRoot, 'etc', 'supervisord.conf'),
    buildout: overrides.buildout ?? merged.path('buildout'),
    pidfile: overrides.pidfile ?? merged.path('pidfile'),
    logfile: overrides.logfile ?? merged.path('logfile'),
    maximalDelay: overrides.maximalDelay ?? merged.integer('maximal_delay') ?? 0,
    maximumPeriodicity: maximumPeriodicity ?? DEFAULT_MAXIMUM_PERIODICITY,
    forcePeriodicity: maximumPeriodicity !== undefined,
    promiseTimeout: overrides.promiseTimeout ?? DEFAULT_PROMISE_TIMEOUT,
    partitionTimeout: readPartitionTimeout(merged, file.filename, overrides.partitionTimeout),
    softwareMinFreeSpace: readSize(merged, 'software_min_free_space', file.filename),
    instanceMinFreeSpace: readSize(merged, 'instance_min_free_space', file.filename),
    networkcache,
  };
}

/**
 * `--partition-timeout`, else `partition_timeout` (or HEAD's
 * `partition-timeout`): whole seconds, more than zero and at most what a Node
 * timer can wait (about 24 days).
 */
function readPartitionTimeout(merged: MergedOptions, filename: string, cli: string | undefined): number | undefined {
  const option = ['partition_timeout', 'partition-timeout'].find((name) => merged.string(name) !== undefined);
  const [value, where] = cli !== undefined ? [cli, '--partition-timeout'] : option !== undefined ? [merged.string(option)!, `${filename}: ${option}`] : [undefined, ''];
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) <= 0 || Number(value) > MAX_PARTITION_TIMEOUT) {
    throw configError(`${where} must be a whole number of seconds from 1 to ${MAX_PARTITION_TIMEOUT}, not ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/** A minimum free space option in bytes (`1000M`, `2G`, `512K`, plain bytes). */
function readSize(merged: MergedOptions, option: string, filename: string): number {
  const value = merged.string(option) ?? DEFAULT_MIN_FREE_SPACE;
  const bytes = parseSize(value);
  if (bytes === undefined) {
    throw configError(`${filename}: ${option} must be a size such as 1000M, 2G, 512K or a number of bytes, not ${JSON.stringify(value)}`);
  }
  return bytes;
}

function readNetworkcache(merged: MergedOptions, signatureKeyOverride: string | undefined): NetworkcacheConfig {
  const certificates = merged.string('signature-certificate-list');
  const downloadBlacklist = merged.list('download-from-binary-cache-url-blacklist');
  return {
    downloadBinaryCacheUrl: merged.string('download-binary-cache-url'),
    downloadBinaryDirUrl: merged.string('download-binary-dir-url'),
    uploadBinaryCacheUrl: merged.string('upload-binary-cache-url'),
    uploadBinaryDirUrl: merged.string('upload-binary-dir-url'),
    signatureCertificateList: certificates === undefined ? undefined : splitCertificateList(certificates),
    signaturePrivateKeyFile: signatureKeyOverride ?? merged.path('signature_private_key_file') ?? merged.path('signature-private-key-file'),
    shacacheCertFile: merged.path('shacache-cert-file'),
    shacacheKeyFile: merged.path('shacache-key-file'),
    shadirCertFile: merged.path('shadir-cert-file'),
    shadirKeyFile: merged.path('shadir-key-file'),
    // the deprecated name is used only when the new one is empty, as the original does
    downloadFromBinaryCacheUrlBlacklist: downloadBlacklist.length > 0 ? downloadBlacklist : merged.list('binary-cache-url-blacklist'),
    uploadToBinaryCacheUrlBlacklist: merged.list('upload-to-binary-cache-url-blacklist'),
    uploadCacheUrl: merged.string('upload-cache-url'),
    uploadDirUrl: merged.string('upload-dir-url'),
  };
}

/** Splits concatenated PEM certificates as the original does (on the BEGIN marker). */
export function splitCertificateList(text: string): string[] {
  return text.split(CERTIFICATE_MARKER)
    .map((chunk) => chunk.trim())
    .filter((chunk) => chunk !== '')
    .map((chunk) => `${CERTIFICATE_MARKER}\n${chunk}`);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** `[slapos]` and `[networkcache]` seen as one dict; `[networkcache]` wins, as in the original. */
class MergedOptions {
  constructor(private readonly file: ConfigFile) {}

  private sectionOf(option: string): string | undefined {
    if (this.file.hasSection('networkcache') && this.file.has('networkcache', option)) return 'networkcache';
    if (this.file.has('slapos', option)) return 'slapos';
    return undefined;
  }

  string(option: string): string | undefined {
    const section = this.sectionOf(option);
    return section === undefined ? undefined : this.file.getString(section, option).trim();
  }

  path(option: string): string | undefined {
    const section = this.sectionOf(option);
    if (section === undefined || this.file.getString(section, option).trim() === '') return undefined;
    return this.file.getPath(section, option);
  }

  integer(option: string): number | undefined {
    const section = this.sectionOf(option);
    return section === undefined ? undefined : this.file.getInt(section, option);
  }

  list(option: string): string[] {
    const section = this.sectionOf(option);
    return section === undefined ? [] : this.file.getList(section, option);
  }
}
