import { PyObject, PyTuple, xml2dict, type MarshalDict, type MarshalValue } from '../slap/index.ts';
import type { AddressRecord, PartitionRecord, SlaveRecord, SoftwareRecord } from './store/types.ts';

/**
 * The objects the proxy answers with, built from store records exactly as the
 * [HEAD] Python proxy builds them (slap-protocol.md §3.6–3.7), ready for
 * `marshal`. Only the four `slapos.slap.slap` classes exist on the wire.
 */
const SLAP_MODULE = 'slapos.slap.slap';

/** A dictionary without a prototype: user-chosen keys such as `__proto__` stay plain keys. */
export function dict(...sources: MarshalDict[]): MarshalDict {
  const result = Object.create(null) as MarshalDict;
  for (const source of sources) for (const key of Object.keys(source)) result[key] = source[key]!;
  return result;
}

/** Python `str(float)` for a timestamp: shortest round-trip form, always with a fraction part. */
export function timestampText(seconds: number): string {
  const text = String(seconds);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/** A stored `<instance>` document as the dictionary clients see; none stored → `{}`. */
export function instanceDict(xml: string | null): MarshalDict {
  return dict(xml ? xml2dict(xml) : {});
}

export function ipList(addresses: AddressRecord[]): MarshalValue[] {
  return addresses.map((address) => new PyTuple([address.interface, address.address]));
}

export function instanceGuid(partition: PartitionRecord): string {
  return `${partition.computerReference}-${partition.reference}`;
}

export function softwareReleaseDocument(url: string, computerId: string, requestedState?: string): PyObject {
  const attributes = dict({ _computer_guid: computerId, _software_instance_list: [], _software_release: url });
  if (requestedState !== undefined) attributes._requested_state = requestedState;
  return new PyObject(SLAP_MODULE, 'SoftwareRelease', [url, computerId], attributes);
}

/** One entry of a host's `slave_instance_list`: who the slave is, then its parameters with their types. */
function slaveEntry(slave: SlaveRecord): MarshalDict {
  return dict(
    { slave_title: slave.reference, slap_software_type: slave.softwareType, slave_reference: slave.reference },
    slave.parameters,
  );
}

export interface PartitionView {
  partition: PartitionRecord;
  addresses: AddressRecord[];
  slaves: SlaveRecord[];
}

/** A partition as the node sees it (getFullComputerInformation, registerComputerPartition). */
export function computerPartitionDocument({ partition, addresses, slaves }: PartitionView): PyObject {
  const computerId = partition.computerReference;
  const attributes = dict({
    _computer_id: computerId,
    _partition_id: partition.reference,
    _request_dict: null,
    _instance_guid: instanceGuid(partition),
    _need_modification: 0,
    _requested_state: 'destroyed',
    _software_release_document: null,
  });
  if (partition.softwareRelease) {
    // Server keys come last so they override user parameters with the same name.
    const parameters = dict(instanceDict(partition.parameterXml), {
      ip_list: ipList(addresses),
      full_address_list: [],
      slap_software_type: partition.softwareType,
      instance_title: partition.title,
      root_instance_title: partition.requestedBy || partition.title,
      slap_computer_id: computerId,
      slap_computer_partition_id: partition.reference,
      slap_software_release_url: partition.softwareRelease,
      slave_instance_list: slaves.map(slaveEntry),
    });
    if (partition.timestamp) parameters.timestamp = timestampText(partition.timestamp);
    attributes._need_modification = 1;
    attributes._requested_state = partition.requestedState;
    attributes._parameter_dict = parameters;
    attributes._connection_dict = instanceDict(partition.connectionXml);
    attributes._software_release_document = softwareReleaseDocument(partition.softwareRelease, computerId);
  }
  return new PyObject(SLAP_MODULE, 'ComputerPartition', [computerId, partition.reference, null], attributes);
}

export function computerDocument(computerId: string, software: SoftwareRecord[], partitions: PartitionView[]): PyObject {
  return new PyObject(SLAP_MODULE, 'Computer', [computerId], dict({
    _computer_id: computerId,
    _software_release_list: software.map((sr) => softwareReleaseDocument(sr.url, computerId, sr.requestedState)),
    _computer_partition_list: partitions.map(computerPartitionDocument),
  }));
}

/** The answer to a regular instance request. */
export function instanceAnswer(partition: PartitionRecord, addresses: AddressRecord[], requestedState: string): PyObject {
  const parameters = instanceDict(partition.parameterXml);
  parameters.timestamp = timestampText(partition.timestamp ?? 0);
  return new PyObject(SLAP_MODULE, 'SoftwareInstance', [], dict({
    _connection_dict: instanceDict(partition.connectionXml),
    _parameter_dict: parameters,
    connection_xml: partition.connectionXml,
    slap_computer_id: partition.computerReference,
    slap_computer_partition_id: partition.reference,
    slap_software_release_url: partition.softwareRelease,
    slap_server_url: 'slap_server_url',
    slap_software_type: partition.softwareType,
    _instance_guid: instanceGuid(partition),
    _requested_state: requestedState,
    ip_list: ipList(addresses),
  }));
}

/** The answer to a slave request: the slave's own parameters (as text) and what its host published for it. */
export function slaveAnswer(host: PartitionRecord, slave: SlaveRecord, slaveParameterXml: string, addresses: AddressRecord[]): PyObject {
  return new PyObject(SLAP_MODULE, 'SoftwareInstance', [], dict({
    _connection_dict: instanceDict(slave.connectionXml),
    _parameter_dict: instanceDict(slaveParameterXml),
    slap_computer_id: host.computerReference,
    slap_computer_partition_id: host.reference,
    slap_software_release_url: host.softwareRelease,
    slap_server_url: 'slap_server_url',
    slap_software_type: host.softwareType,
    ip_list: ipList(addresses),
  }));
}

/** The fake partition answered for a frontend the proxy cannot provide (the requester uses the URL directly). */
export function fakeFrontendAnswer(partitionId: string, connection: MarshalDict): PyObject {
  return new PyObject(SLAP_MODULE, 'ComputerPartition', ['', partitionId, null], dict({
    _computer_id: '',
    _partition_id: partitionId,
    _request_dict: null,
    slap_computer_id: '',
    slap_computer_partition_id: '',
    _parameter_dict: dict(),
    _connection_dict: dict(connection),
  }));
}
