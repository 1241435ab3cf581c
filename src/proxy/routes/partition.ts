import { dict2xml } from '../../slap/index.ts';
import { nextTimestamp } from '../allocation.ts';
import { unknownPartition } from '../errors.ts';
import { pythonRepr } from '../values.ts';
import { IGNORED, text, type Endpoint, type EndpointTable } from './types.ts';

function unknownPartitionText(partitionId: string, computerId: string): string {
  return `Unknown partition ${pythonRepr(partitionId)} on ${pythonRepr(computerId)}`;
}

/**
 * The node's report on an instance. It never changes what the master wants
 * (the requested state); we keep the last report for `proxy show`. Like the
 * original, any POST succeeds.
 */
function partitionReport(state: string): Endpoint {
  return {
    method: 'POST',
    async handle({ fields }, context) {
      const computerId = fields.reference('computer_id');
      const partitionId = fields.reference('computer_partition_id');
      // A report about a slave concerns the slave, which has no state of its own here.
      if (computerId && partitionId && !fields.reference('slave_reference')) {
        const errorLog = state === 'error' ? fields.optional('error_log') ?? '' : null;
        await context.store.transaction((tx) => tx.reportPartition(computerId, partitionId, state, errorLog));
      }
      return IGNORED;
    },
  };
}

export const partitionEndpoints: EndpointTable = {
  buildingComputerPartition: partitionReport('building'),
  availableComputerPartition: partitionReport('available'),
  startedComputerPartition: partitionReport('started'),
  stoppedComputerPartition: partitionReport('stopped'),
  softwareInstanceError: partitionReport('error'),

  setComputerPartitionConnectionXml: {
    method: 'POST',
    async handle({ fields }, context) {
      const computerId = fields.required('computer_id');
      const partitionId = fields.required('computer_partition_id');
      const connectionXml = dict2xml(fields.marshalledDict('connection_xml'));
      const slaveReference = fields.reference('slave_reference');
      await context.store.transaction(async (tx) => {
        if (slaveReference) {
          await tx.setSlaveConnection(slaveReference, partitionId, connectionXml);
          return;
        }
        if (!(await tx.getPartition(computerId, partitionId))) throw unknownPartition(computerId, partitionId);
        await tx.updatePartition(computerId, partitionId, { connectionXml });
      });
      return text('done');
    },
  },

  softwareInstanceBang: {
    method: 'POST',
    async handle({ fields }, context) {
      const computerId = fields.required('computer_id');
      const partitionId = fields.required('computer_partition_id');
      await context.store.transaction(async (tx) => {
        const partition = await tx.getPartition(computerId, partitionId);
        // Unknown or free: nothing to reprocess, and the original answers OK all the same.
        if (!partition || partition.slapState !== 'busy') return;
        const root = partition.requestedBy || partition.title || '';
        // Past every timestamp of the tree, so that no instance of it goes back in time.
        const tree = [await tx.findInstance(root, ''), ...await tx.listChildren(root)];
        const latest = Math.max(0, ...tree.map((member) => member?.timestamp ?? 0));
        await tx.touchTree(root, nextTimestamp(latest, context.now()));
      });
      return text('OK');
    },
  },

  destroyedComputerPartition: {
    method: 'POST',
    async handle({ fields }, context) {
      const computerId = fields.required('computer_id');
      const partitionId = fields.required('computer_partition_id');
      return context.store.transaction(async (tx) => {
        const partition = await tx.getPartition(computerId, partitionId);
        if (!partition) return text(unknownPartitionText(partitionId, computerId));
        if (!partition.requestedBy && partition.title) {
          // A root waits for its children: they are asked to go first.
          const children = await tx.listChildren(partition.title);
          if (children.length > 0) {
            await tx.setChildrenRequestedState(partition.title, 'destroyed');
            return text(`Not destroying yet because this partition has child partitions: ${children.map((c) => c.title).join(', ')}`);
          }
        }
        await tx.freePartition(computerId, partitionId);
        return text('OK');
      });
    },
  },

  softwareInstanceRename: {
    method: 'POST',
    async handle({ fields }, context) {
      const newName = fields.identifier('new_name');
      const computerId = fields.required('computer_id');
      const partitionId = fields.required('computer_partition_id');
      return context.store.transaction(async (tx) => {
        const partition = await tx.getPartition(computerId, partitionId);
        if (!partition) return text(unknownPartitionText(partitionId, computerId));
        if (!partition.requestedBy && partition.title) await tx.renameTreeRoot(partition.title, newName);
        await tx.updatePartition(computerId, partitionId, { title: newName });
        return text('done');
      });
    },
  },
};
