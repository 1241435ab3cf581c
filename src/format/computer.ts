/**
 * The computer definition: what slapformat made of this machine, kept in the
 * computer file between runs and sent to the master. The "computer dict" is
 * the original's serialisation (every object a dict of its attributes), so
 * files written by the Python slapformat load here and vice versa.
 */
import type { MarshalDict, MarshalValue } from '../slap/index.ts';
import { FormatError, FormatErrorCode } from './errors.ts';

export interface AddressEntry {
  addr: string;
  netmask: string;
}

export interface PartitionDefinition {
  reference: string;
  path: string;
  user: string;
  tap: string;
  addressList: AddressEntry[];
}

/** The network part of the configuration, recorded as the original does. */
export interface InterfaceDefinition {
  name: string;
  ipv4LocalNetwork: string | null;
  ipv6Interface: string | null;
}

export interface ComputerDefinition {
  reference: string;
  address: string | null;
  netmask: string | null;
  softwareUser: string;
  instanceRoot: string;
  softwareRoot: string;
  ipv6Interface: string | null;
  interface: InterfaceDefinition | null;
  partitions: PartitionDefinition[];
}

/** What a previous run (or a definition file) says; the rest comes from the configuration. */
export interface StoredComputer {
  address: string | null;
  netmask: string | null;
  softwareUser: string;
  partitions: PartitionDefinition[];
}

/** The original's computer dict, ready for `marshal` or JSON. */
export function toComputerDict(computer: ComputerDefinition): MarshalDict {
  return {
    reference: computer.reference,
    address: computer.address,
    netmask: computer.netmask,
    ipv6_interface: computer.ipv6Interface,
    software_user: computer.softwareUser,
    instance_root: computer.instanceRoot,
    software_root: computer.softwareRoot,
    interface: computer.interface && {
      name: computer.interface.name,
      ipv4_local_network: computer.interface.ipv4LocalNetwork,
      ipv6_interface: computer.interface.ipv6Interface,
      // the original attached to a tap to give a bridge carrier; we never do
      attach_to_tap: false,
    },
    partition_list: computer.partitions.map((partition) => ({
      reference: partition.reference,
      path: partition.path,
      user: { name: partition.user, path: partition.path, additional_group_list: [computer.softwareUser] },
      tap: { name: partition.tap },
      address_list: partition.addressList.map((address) => ({ addr: address.addr, netmask: address.netmask })),
    })),
  };
}

/**
 * Reads back the attributes the original reads from its computer file:
 * address, netmask, software_user and per partition reference, path,
 * user.name (none → root), tap.name (none → the reference) and address_list.
 */
export function fromComputerDict(value: MarshalValue, source: string): StoredComputer {
  const bad = (what: string): FormatError => new FormatError(FormatErrorCode.DEFINITION, `${source}: ${what}`);
  const computer = asDict(value);
  if (!computer) throw bad('not a computer dictionary');
  const partitionList = computer.partition_list ?? [];
  if (!Array.isArray(partitionList)) throw bad('partition_list is not a list');
  const partitions = partitionList.map((item, index): PartitionDefinition => {
    const partition = asDict(item);
    if (!partition) throw bad(`partition_list[${index}] is not a dictionary`);
    const reference = partition.reference;
    if (typeof reference !== 'string' || reference === '') throw bad(`partition_list[${index}] has no reference`);
    const path = partition.path;
    if (typeof path !== 'string') throw bad(`partition ${reference} has no path`);
    const user = asDict(partition.user ?? null);
    const tap = asDict(partition.tap ?? null);
    const addressList = partition.address_list ?? [];
    if (!Array.isArray(addressList)) throw bad(`partition ${reference}: address_list is not a list`);
    return {
      reference,
      path,
      user: user && typeof user.name === 'string' ? user.name : 'root',
      tap: tap && typeof tap.name === 'string' && tap.name !== '' ? tap.name : reference,
      addressList: addressList.map((entry, n) => {
        const address = asDict(entry);
        if (!address || typeof address.addr !== 'string' || typeof address.netmask !== 'string') {
          throw bad(`partition ${reference}: address_list[${n}] needs addr and netmask strings`);
        }
        return { addr: address.addr, netmask: address.netmask };
      }),
    };
  });
  return {
    address: optionalString(computer.address, () => bad('address is not a string')),
    netmask: optionalString(computer.netmask, () => bad('netmask is not a string')),
    softwareUser: typeof computer.software_user === 'string' ? computer.software_user : 'slapsoft',
    partitions,
  };
}

function asDict(value: MarshalValue | undefined): MarshalDict | undefined {
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value)) return undefined;
  // PyTuple, PyFloat and PyObject are class instances; a dict is a plain or null-prototype object
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || prototype === Object.prototype ? (value as MarshalDict) : undefined;
}

function optionalString(value: MarshalValue | undefined, error: () => FormatError): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw error();
  return value;
}
