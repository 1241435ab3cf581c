import { isMarshalDict, marshal, type MarshalDict, type MarshalValue } from '../../slap/index.ts';
import { computerDocument, computerPartitionDocument, dict, type PartitionView } from '../documents.ts';
import { badParameter, unknownComputer, unknownPartition } from '../errors.ts';
import type { PartitionLayout, PartitionRecord, StoreTransaction } from '../store/types.ts';
import { textOrNull } from '../values.ts';
import { IGNORED, marshalled, text, type Endpoint, type EndpointTable } from './types.ts';

async function partitionView(tx: StoreTransaction, partition: PartitionRecord): Promise<PartitionView> {
  return {
    partition,
    addresses: await tx.listAddresses(partition.computerReference, partition.reference),
    slaves: await tx.listHostedSlaves(partition.computerReference, partition.reference),
  };
}

/** Reads slapformat's computer description (slap-protocol.md §2.6), naming the first thing that is wrong. */
function computerLayout(description: MarshalDict): { reference: string; address: string | null; netmask: string | null; partitions: PartitionLayout[] } {
  const reference = textOrNull(description.reference);
  if (!reference) throw badParameter('xml', 'the computer has no reference');
  const partitionList = description.partition_list ?? [];
  if (!Array.isArray(partitionList)) throw badParameter('xml', 'partition_list is not a list');
  const partitions = partitionList.map((item: MarshalValue, index): PartitionLayout => {
    if (!isMarshalDict(item)) throw badParameter('xml', `partition_list[${index}] is not a dictionary`);
    const partitionId = textOrNull(item.reference);
    if (!partitionId) throw badParameter('xml', `partition_list[${index}] has no reference`);
    const addressList = item.address_list ?? [];
    if (!Array.isArray(addressList)) throw badParameter('xml', `address_list of ${partitionId} is not a list`);
    // Older formats left the tap name empty: the partition id names the interface then.
    const tap = item.tap;
    const interfaceName = (isMarshalDict(tap) ? textOrNull(tap.name) : null) || partitionId;
    return {
      reference: partitionId,
      addresses: addressList.map((address: MarshalValue) => {
        const addr = isMarshalDict(address) ? textOrNull(address.addr) : null;
        if (!addr || !isMarshalDict(address)) throw badParameter('xml', `an address of ${partitionId} has no addr`);
        return { interface: interfaceName, address: addr, netmask: textOrNull(address.netmask) };
      }),
    };
  });
  const ids = new Set(partitions.map((p) => p.reference));
  if (ids.size !== partitions.length) throw badParameter('xml', 'a partition reference appears twice');
  return { reference, address: textOrNull(description.address), netmask: textOrNull(description.netmask), partitions };
}

const fullComputerInformation: Endpoint = {
  method: 'GET',
  async handle({ fields }, context) {
    const computerId = fields.required('computer_id');
    return context.store.transaction(async (tx) => {
      // The configured computer is known even before format registered it.
      if (!(await tx.getComputer(computerId)) && computerId !== context.defaultComputerId) throw unknownComputer(computerId);
      // Nodes poll this answer far more often than anything changes: rebuild it only after a write.
      const mark = await tx.changeMark();
      const cached = context.computerAnswers.get(computerId);
      if (cached?.mark === mark) return { xml: cached.xml };
      const software = await tx.listSoftware(computerId);
      const views: PartitionView[] = [];
      for (const partition of await tx.listPartitions(computerId)) views.push(await partitionView(tx, partition));
      const xml = Buffer.from(marshal(computerDocument(computerId, software, views)));
      context.computerAnswers.set(computerId, { mark, xml });
      return { xml };
    });
  },
};

export const computerEndpoints: EndpointTable = {
  getFullComputerInformation: fullComputerInformation,
  // The name older clients fall back to.
  getComputerInformation: fullComputerInformation,

  registerComputerPartition: {
    method: 'GET',
    async handle({ fields }, context) {
      const computerId = fields.required('computer_reference');
      const partitionId = fields.required('computer_partition_reference');
      return context.store.transaction(async (tx) => {
        const partition = await tx.getPartition(computerId, partitionId);
        if (!partition) throw unknownPartition(computerId, partitionId);
        return marshalled(computerPartitionDocument(await partitionView(tx, partition)));
      });
    },
  },

  loadComputerConfigurationFromXML: {
    method: 'POST',
    async handle({ fields }, context) {
      const layout = computerLayout(fields.marshalledDict('xml'));
      await context.store.transaction((tx) => tx.formatComputer(
        { reference: layout.reference, address: layout.address, netmask: layout.netmask }, layout.partitions));
      return text('done');
    },
  },

  getRunId: { method: 'GET', handle: async (_call, context) => text(context.runId) },
  useComputer: { method: 'POST', handle: async () => IGNORED },
  computerBang: { method: 'POST', handle: async () => marshalled('') },
  getComputerPartitionStatus: { method: 'GET', handle: async () => marshalled('Not implemented.') },
  // The proxy issues no certificates; clients still ask.
  getComputerPartitionCertificate: { method: 'GET', handle: async () => marshalled(dict({ certificate: '', key: '' })) },
};
