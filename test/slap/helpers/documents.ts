/**
 * Literal xml_marshaller answers of a master, as in the protocol spec
 * (slap-protocol.md §3.7), written by hand so that the object model is tested
 * against the wire format itself, not against our own encoder. Ids are left
 * out where the decoder does not need them.
 */
export const str = (text: string): string => `<string>${text}</string>`;
const pairs = (entries: Array<[string, string]>): string => entries.map(([k, v]) => str(k) + v).join('');
export const dict = (entries: Array<[string, string]>): string =>
  entries.length === 0 ? '<dictionary id="i0"/>' : `<dictionary id="i0">${pairs(entries)}</dictionary>`;
export const list = (items: string[]): string => (items.length === 0 ? '<list id="i0"/>' : `<list id="i0">${items.join('')}</list>`);
const object = (className: string, args: string[], attributes: Array<[string, string]>): string =>
  `<object id="i0" module="slapos.slap.slap" class="${className}"><tuple>${args.join('')}</tuple>${dict(attributes)}</object>`;
/** The whole document, ids numbered in document order from i2 as xml_marshaller does. */
export function marshalled(value: string): string {
  let next = 1;
  return `<marshal>${value.replace(/ id="i0"/g, () => ` id="i${++next}"`)}</marshal>`;
}

export const SR_URL = 'https://lab.example/software.cfg';

export function softwareRelease(computerId: string, url = SR_URL, requestedState?: string): string {
  const attributes: Array<[string, string]> = [['_computer_guid', str(computerId)]];
  if (requestedState !== undefined) attributes.push(['_requested_state', str(requestedState)]);
  attributes.push(['_software_instance_list', list([])], ['_software_release', str(url)]);
  return object('SoftwareRelease', [str(url), str(computerId)], attributes);
}

/** An allocated partition of a 1.x proxy, with one unknown attribute (`_access_status`). */
export function allocatedPartition(computerId: string, partitionId: string, title: string, extra: Array<[string, string]> = []): string {
  return object('ComputerPartition', [str(computerId), str(partitionId), '<none/>'], [
    ['_access_status', str('#access instance is running')],
    ['_computer_id', str(computerId)],
    ['_connection_dict', dict([['url', str('http://10.0.0.10:8080/')]])],
    ['_instance_guid', str(`${computerId}-${partitionId}`)],
    ['_need_modification', '<int>1</int>'],
    ['_parameter_dict', dict([
      ['instance_title', str(title)],
      ['ip_list', list([`<tuple>${str('slaptap0')}${str('10.0.0.10')}</tuple>`])],
      ['port', str('8080')],
      ['slap_software_type', str('default')],
      ['slave_instance_list', list([dict([['slave_reference', str('_front')], ['url', str('http://x/')]])])],
      ['timestamp', str('1700000000.25')],
      ...extra,
    ])],
    ['_partition_id', str(partitionId)],
    ['_request_dict', '<none/>'],
    ['_requested_state', str('started')],
    ['_software_release_document', softwareRelease(computerId)],
  ]);
}

export function freePartition(computerId: string, partitionId: string): string {
  return object('ComputerPartition', [str(computerId), str(partitionId), '<none/>'], [
    ['_computer_id', str(computerId)],
    ['_instance_guid', str(`${computerId}-${partitionId}`)],
    ['_need_modification', '<int>0</int>'],
    ['_partition_id', str(partitionId)],
    ['_request_dict', '<none/>'],
    ['_requested_state', str('destroyed')],
    ['_software_release_document', '<none/>'],
  ]);
}

export function computer(computerId: string, partitions: string[], softwareReleases: string[]): string {
  return marshalled(object('Computer', [str(computerId)], [
    ['_computer_id', str(computerId)],
    ['_computer_partition_list', list(partitions)],
    ['_software_release_list', list(softwareReleases)],
  ]));
}

/** A 1.x proxy's answer to requestComputerPartition for a regular instance. */
export function softwareInstance(computerId: string, partitionId: string, requestedState = 'started'): string {
  return marshalled(object('SoftwareInstance', [], [
    ['_connection_dict', dict([])],
    ['_instance_guid', str(`${computerId}-${partitionId}`)],
    ['_parameter_dict', dict([['port', str('8080')], ['timestamp', str('1700000000.25')]])],
    ['_requested_state', str(requestedState)],
    ['connection_xml', '<none/>'],
    ['ip_list', list([`<tuple>${str('slaptap0')}${str('10.0.0.10')}</tuple>`])],
    ['slap_computer_id', str(computerId)],
    ['slap_computer_partition_id', str(partitionId)],
    ['slap_server_url', str('slap_server_url')],
    ['slap_software_release_url', str(SR_URL)],
    ['slap_software_type', str('default')],
  ]));
}

/** A 1.x proxy's answer to a slave request: no guid, no requested state. */
export function slaveInstance(computerId: string, hostPartitionId: string): string {
  return marshalled(object('SoftwareInstance', [], [
    ['_connection_dict', dict([['site_url', str('https://front.example/')]])],
    ['_parameter_dict', dict([['url', str('http://[2001:db8::1]:8080/')]])],
    ['slap_computer_id', str(computerId)],
    ['slap_computer_partition_id', str(hostPartitionId)],
    ['slap_software_release_url', str(SR_URL)],
    ['slap_software_type', str('default')],
  ]));
}

/** A 0.32 proxy's answer to requestComputerPartition: raw instance XML, `<unicode>` text, no requested state. */
export function oldSoftwareInstance(computerId: string, partitionId: string): string {
  const instanceXml = (entries: Array<[string, string]>): string =>
    `&lt;?xml version='1.0' encoding='utf-8'?&gt;\n&lt;instance&gt;\n${entries.map(([k, v]) => `  &lt;parameter id="${k}"&gt;${v}&lt;/parameter&gt;\n`).join('')}&lt;/instance&gt;\n`;
  return marshalled(object('SoftwareInstance', [], [
    ['connection_xml', `<unicode>${instanceXml([['url', 'http://old/']])}</unicode>`],
    ['ip_list', list([])],
    ['slap_computer_id', `<unicode>${computerId}</unicode>`],
    ['slap_computer_partition_id', `<unicode>${partitionId}</unicode>`],
    ['slap_server_url', str('slap_server_url')],
    ['slap_software_release_url', `<unicode>${SR_URL}</unicode>`],
    ['slap_software_type', `<unicode>default</unicode>`],
    ['slave_instance_list', '<none/>'],
    ['xml', `<unicode>${instanceXml([['port', '8080']])}</unicode>`],
  ]));
}
