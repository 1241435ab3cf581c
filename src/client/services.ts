import type { ComputerPartition, Slap } from '../slap/index.ts';
import { ClientError, CLIENT_ERROR_CODES } from './errors.ts';
import { decodeConnectionParameters } from './request.ts';

/** `slapos info NAME`, with the keys of the original's JSON output. */
export interface ServiceInfo {
  'software-url': string;
  'software-type': string;
  shared: boolean;
  'requested-state': string;
  'instance-parameters': Record<string, unknown>;
  'connection-parameters': Record<string, unknown>;
  /** Monitoring news are a full master's; a computer's information has none. */
  status: 'unsupported';
  computer: string;
  partition: string;
}

/**
 * Keys the master adds to every partition's parameters; the person did not
 * ask for them, so `info` leaves them out of "instance-parameters".
 */
const MASTER_PARAMETER_KEYS = new Set([
  'ip_list', 'full_address_list', 'slap_software_type', 'instance_title', 'root_instance_title', 'slap_computer_id',
  'slap_computer_partition_id', 'slap_software_release_url', 'slave_instance_list', 'timestamp', 'full_ip_list',
]);

/**
 * The person's instances (root instances: those they requested, not those an
 * instance requested), title → software release URL, read from the given
 * computers' information — the SLAP protocol has no person-side listing, so
 * the computers must be known (a local node's configuration names its own).
 */
export async function listServices(slap: Slap, computerIds: readonly string[]): Promise<Record<string, string>> {
  const services = new Map<string, string>();
  for (const { partition, title } of await rootInstances(slap, computerIds)) {
    services.set(title, partition.getSoftwareRelease().getURI());
  }
  return Object.fromEntries([...services].sort(([a], [b]) => a.localeCompare(b)));
}

/** What the master knows of the instance titled `title`; CLIENT_ERR_NOT_FOUND if none of the computers hosts it. */
export async function serviceInfo(slap: Slap, computerIds: readonly string[], title: string): Promise<ServiceInfo> {
  const found = (await rootInstances(slap, computerIds)).find((instance) => instance.title === title);
  if (found === undefined) throw new ClientError(CLIENT_ERROR_CODES.NOT_FOUND, `instance ${JSON.stringify(title)} does not exist or is not allocated yet`);
  const { partition } = found;
  const parameters = partition.getInstanceParameterDict();
  return {
    'software-url': partition.getSoftwareRelease().getURI(),
    'software-type': partition.getType(),
    shared: false,
    'requested-state': partition.getState(),
    'instance-parameters': Object.fromEntries(Object.entries(parameters).filter(([key]) => !MASTER_PARAMETER_KEYS.has(key))),
    'connection-parameters': decodeConnectionParameters(partition.getConnectionParameterDict()),
    status: 'unsupported',
    computer: partition.getComputerId(),
    partition: partition.getId(),
  };
}

/** `slapos computer info`: what the master wants on a computer. */
export interface ComputerInfo {
  reference: string;
  partitions: { partition: string; 'requested-state': string; title: string | null }[];
  'software-releases': { url: string; 'requested-state': string }[];
}

/** The partitions (with the title of the instance each hosts) and software releases of a computer. */
export async function computerInfo(slap: Slap, reference: string): Promise<ComputerInfo> {
  const computer = slap.registerComputer(reference);
  const partitions = (await computer.getComputerPartitionList()).map((partition) => {
    const title = partition.getInstanceParameterDict().instance_title;
    return { partition: partition.getId(), 'requested-state': partition.getState(), title: typeof title === 'string' ? title : null };
  });
  const softwareReleases = (await computer.getSoftwareReleaseList()).map((sr) => ({ url: sr.getURI(), 'requested-state': sr.getState() }));
  return { reference, partitions, 'software-releases': softwareReleases };
}

async function rootInstances(slap: Slap, computerIds: readonly string[]): Promise<{ partition: ComputerPartition; title: string }[]> {
  if (computerIds.length === 0) {
    throw new ClientError(CLIENT_ERROR_CODES.CONFIG_INVALID,
      'no computer to look at: set [slapos] computer_id in the client configuration (a local node\'s slapos.cfg has it)');
  }
  const found: { partition: ComputerPartition; title: string }[] = [];
  for (const computerId of computerIds) {
    for (const partition of await slap.registerComputer(computerId).getComputerPartitionList()) {
      const parameters = partition.getInstanceParameterDict();
      const title = parameters.instance_title;
      if (typeof title !== 'string' || title === '' || parameters.root_instance_title !== title) continue;
      if (partition.getState() === 'destroyed') continue;
      found.push({ partition, title });
    }
  }
  return found;
}
