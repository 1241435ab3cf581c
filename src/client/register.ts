import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { formatConfig } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import { checkMasterUrl } from './client-config.ts';
import { writePrivateFile } from './configure-client.ts';
import { ClientError, CLIENT_ERROR_CODES } from './errors.ts';
import { requestCertificate, type WebCredentials } from './web-master.ts';

export interface NodeRegistration {
  /** The title the new computer gets on the master. */
  nodeName: string;
  /** The node configuration to write; its directory receives `ssl/`. */
  configPath: string;
  interfaceName: string;
  masterUrl: string;
  masterUrlWeb: string;
  partitionNumber: number;
  ipv4LocalNetwork: string;
  softwareRoot: string;
  instanceRoot: string;
  createTap: boolean;
  /** Asks the master (as the original does) but writes nothing. */
  dryRun: boolean;
  credentials: WebCredentials;
  timeoutMs: number;
}

/** The computer id is the part of the certificate subject from `COMP-` to `/email`. */
function computerIdFromCertificate(certificate: string): string | undefined {
  const start = certificate.indexOf('COMP-');
  if (start < 0) return undefined;
  const end = certificate.indexOf('/email', start);
  const id = certificate.slice(start, end < 0 ? undefined : end).trim();
  return /^COMP-[\w-]+$/.test(id) ? id : undefined;
}

/**
 * Registers a new computer: asks the master's web side for its certificate,
 * keeps any former configuration directory as `<dir>.old`, `.old.1`…, then
 * writes the key, the certificate and a slapos.cfg for it.
 */
export async function registerNode(registration: NodeRegistration, logger: Logger): Promise<{ computerId: string; configPath: string }> {
  checkMasterUrl(registration.masterUrl, '--master-url');
  checkMasterUrl(registration.masterUrlWeb, '--master-url-web');
  if (registration.nodeName.trim() === '') throw new ClientError(CLIENT_ERROR_CODES.INVALID_OPTION, 'the node name is empty');
  if (!Number.isInteger(registration.partitionNumber) || registration.partitionNumber < 1) {
    throw new ClientError(CLIENT_ERROR_CODES.INVALID_OPTION, `--partition-number must be a positive integer, not ${registration.partitionNumber}`);
  }
  const issued = await requestCertificate({
    masterUrlWeb: registration.masterUrlWeb, method: 'Person_requestComputer', credentials: registration.credentials,
    fields: { title: registration.nodeName }, timeoutMs: registration.timeoutMs,
  });
  const computerId = computerIdFromCertificate(issued.certificate);
  if (computerId === undefined) throw new ClientError(CLIENT_ERROR_CODES.MASTER_REFUSED, 'the certificate the master issued names no computer (COMP-…)');

  const directory = resolve(dirname(registration.configPath));
  const ssl = join(directory, 'ssl');
  const files = { keyFile: join(ssl, 'key'), certFile: join(ssl, 'certificate'), repository: join(ssl, 'partition_pki') };
  const configPath = join(directory, 'slapos.cfg');
  const text = formatConfig(registeredNodeConfig(registration, computerId, files));
  if (registration.dryRun) {
    logger.info('dry run: nothing written', { computer_id: computerId, config: configPath });
    return { computerId, configPath };
  }
  if (existsSync(configPath)) {
    const kept = freeName(`${directory}.old`);
    logger.info('keeping the former configuration', { from: directory, to: kept });
    renameSync(directory, kept);
  }
  for (const path of [directory, ssl, files.repository]) mkdirSync(path, { recursive: true, mode: 0o711 });
  writePrivateFile(files.keyFile, issued.key);
  writePrivateFile(files.certFile, issued.certificate);
  writeFileSync(configPath, text, { mode: 0o644, flag: 'wx' });
  logger.info('node configured', { computer_id: computerId, config: configPath });
  return { computerId, configPath };
}

function registeredNodeConfig(registration: NodeRegistration, computerId: string,
  files: { keyFile: string; certFile: string; repository: string }): Record<string, Record<string, string>> {
  return {
    slapos: {
      computer_id: computerId,
      master_url: registration.masterUrl,
      key_file: files.keyFile,
      cert_file: files.certFile,
      certificate_repository_path: files.repository,
      software_root: registration.softwareRoot,
      instance_root: registration.instanceRoot,
    },
    slapformat: {
      interface_name: registration.interfaceName,
      ipv4_local_network: registration.ipv4LocalNetwork,
      partition_amount: String(registration.partitionNumber),
      create_tap: String(registration.createTap),
      partition_base_name: 'slappart',
      user_base_name: 'slapuser',
      tap_base_name: 'slaptap',
      computer_xml: '/opt/slapos/slapos.xml',
      log_file: '/opt/slapos/log/slapos-node-format.log',
    },
    networkcache: {},
  };
}

/** `base`, else `base.1`, `base.2`… — the first that does not exist. */
function freeName(base: string): string {
  if (!existsSync(base)) return base;
  for (let n = 1; ; n += 1) {
    if (!existsSync(`${base}.${n}`)) return `${base}.${n}`;
  }
}
