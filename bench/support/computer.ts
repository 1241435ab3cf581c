import { PyObject, PyTuple, SLAP_MODULE, type MarshalDict, type MarshalValue } from '../../src/slap/index.ts';

/**
 * Workloads shared by the benchmarks: one computer with `partitionCount`
 * partitions, every one hosting an instance of the same software release,
 * shaped like the documents a node really exchanges with its master
 * (spec/slap-protocol.md §2.6 and §3.7).
 */
export const BENCH_SOFTWARE_RELEASE = 'https://lab.example/software/bench/software.cfg';

export function partitionId(index: number): string {
  return `slappart${index}`;
}

/** Instance titles are unique across the proxy, so they carry the computer id. */
export function instanceTitle(computerId: string, index: number): string {
  return `${computerId}-instance-${index}`;
}

/** IPv4 (private) and IPv6 (documentation prefix) addresses of partition `index`: stored, never contacted. */
function addresses(index: number): { ipv4: string; ipv6: string } {
  return { ipv4: `10.${(index >> 8) & 255}.${index & 255}.10`, ipv6: `2001:db8::${index.toString(16)}:10` };
}

/** Parameters a typical instance is requested with; each revision differs from the previous one. */
export function instanceParameters(index: number, revision = 0): Record<string, string> {
  return {
    'revision': String(revision),
    'port': String(8000 + index),
    'frontend-name': `frontend-${index}`,
    'monitor-password': `secret-${index}`,
    'tls-certificate-url': 'https://lab.example/certificate.pem',
  };
}

/** Connection parameters a typical instance publishes; each revision differs from the previous one. */
export function connectionParameters(index: number, revision = 0): Record<string, string> {
  const { ipv6 } = addresses(index);
  return {
    'revision': String(revision),
    'url': `https://[${ipv6}]:${8000 + index}/`,
    'monitor-base-url': `https://[${ipv6}]:9${String(index).padStart(3, '0')}/`,
    'username': `admin-${index}`,
  };
}

function dict(source: Record<string, MarshalValue>): MarshalDict {
  return Object.assign(Object.create(null) as MarshalDict, source);
}

/** The computer description slapformat sends with loadComputerConfigurationFromXML. */
export function formatDescription(computerId: string, partitionCount: number): MarshalDict {
  const partitionList: MarshalValue[] = [];
  for (let index = 0; index < partitionCount; index++) {
    const { ipv4, ipv6 } = addresses(index);
    partitionList.push(dict({
      reference: partitionId(index),
      path: `/srv/slapgrid/${partitionId(index)}`,
      user: dict({ name: `slapuser${index}`, additional_group_list: [] }),
      tap: dict({ name: `slaptap${index}` }),
      address_list: [
        dict({ addr: ipv4, netmask: '255.255.255.255' }),
        dict({ addr: ipv6, netmask: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff' }),
      ],
    }));
  }
  return dict({ reference: computerId, address: '10.0.0.1', netmask: '255.255.255.0', partition_list: partitionList });
}

function softwareReleaseDocument(computerId: string, requestedState?: string): PyObject {
  const attributes = dict({ _computer_guid: computerId, _software_instance_list: [], _software_release: BENCH_SOFTWARE_RELEASE });
  if (requestedState !== undefined) attributes._requested_state = requestedState;
  return new PyObject(SLAP_MODULE, 'SoftwareRelease', [BENCH_SOFTWARE_RELEASE, computerId], attributes);
}

function partitionDocument(computerId: string, index: number): PyObject {
  const id = partitionId(index);
  const { ipv4, ipv6 } = addresses(index);
  return new PyObject(SLAP_MODULE, 'ComputerPartition', [computerId, id, null], dict({
    _computer_id: computerId,
    _connection_dict: dict(connectionParameters(index)),
    _instance_guid: `${computerId}-${id}`,
    _need_modification: 1,
    _parameter_dict: dict({
      ...instanceParameters(index),
      full_address_list: [],
      instance_title: instanceTitle(computerId, index),
      ip_list: [new PyTuple([`slaptap${index}`, ipv4]), new PyTuple([`slaptap${index}`, ipv6])],
      root_instance_title: instanceTitle(computerId, index),
      slap_computer_id: computerId,
      slap_computer_partition_id: id,
      slap_software_release_url: BENCH_SOFTWARE_RELEASE,
      slap_software_type: 'default',
      slave_instance_list: [],
      timestamp: '1700000000.25',
    }),
    _partition_id: id,
    _request_dict: null,
    _requested_state: 'started',
    _software_release_document: softwareReleaseDocument(computerId),
  }));
}

/** The getFullComputerInformation answer for the computer, every partition busy. */
export function fullComputerDocument(computerId: string, partitionCount: number): PyObject {
  const partitions: MarshalValue[] = [];
  for (let index = 0; index < partitionCount; index++) partitions.push(partitionDocument(computerId, index));
  return new PyObject(SLAP_MODULE, 'Computer', [computerId], dict({
    _computer_id: computerId,
    _computer_partition_list: partitions,
    _software_release_list: [softwareReleaseDocument(computerId, 'available')],
  }));
}
