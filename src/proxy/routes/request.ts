import { dict2xml, type MarshalValue } from '../../slap/index.ts';
import { requestInstance, type InstanceRequest } from '../allocation.ts';
import { fakeFrontendAnswer, instanceAnswer, slaveAnswer } from '../documents.ts';
import { badParameter } from '../errors.ts';
import { fakeFrontend } from '../frontends.ts';
import type { InstanceState } from '../store/types.ts';
import { pythonTruth, textOrNull } from '../values.ts';
import { marshalled, type EndpointTable, type SlapCall } from './types.ts';

const INSTANCE_STATES: readonly InstanceState[] = ['started', 'stopped', 'destroyed'];

function requestedState(value: MarshalValue): InstanceState | null {
  if (value === null) return null;
  if (typeof value === 'string' && (INSTANCE_STATES as readonly string[]).includes(value)) return value as InstanceState;
  throw badParameter('state', `expected None or one of ${INSTANCE_STATES.join(', ')}`);
}

function slaText(filter: Record<string, MarshalValue>, key: string): string | null {
  const value = filter[key];
  if (value !== undefined && value !== null && typeof value !== 'string') throw badParameter('filter_xml', `${key} must be text`);
  return textOrNull(value) || null;
}

/** Whether `url` names this proxy as the caller reached it (scheme, host and port; any path). */
function isThisMaster(url: string, origin: string): boolean {
  return url.replace(/\/+$/, '') === origin || url.startsWith(`${origin}/`);
}

function decodeRequest({ fields, origin }: SlapCall): InstanceRequest {
  const parameters = fields.marshalledDict('partition_parameter_xml', {});
  const filter = fields.marshalledDict('filter_xml', {});
  const masterUrl = slaText(filter, 'master_url');
  const computerId = fields.reference('computer_id');
  const partitionId = fields.reference('computer_partition_id');
  return {
    softwareRelease: fields.required('software_release'),
    softwareType: fields.required('software_type'),
    title: fields.required('partition_reference'),
    parameters,
    parameterXml: dict2xml(parameters),
    filter: {
      computerGuid: slaText(filter, 'computer_guid'),
      instanceGuid: slaText(filter, 'instance_guid'),
      externalMasterUrl: masterUrl !== null && !isThisMaster(masterUrl, origin) ? masterUrl : null,
    },
    requestedState: requestedState(fields.marshalled('state')),
    // A marshalled bool, but the original takes any value by its Python truth.
    shared: pythonTruth(fields.marshalled('shared_xml', false)),
    requester: computerId && partitionId ? { computerId, partitionId } : null,
  };
}

export const requestEndpoints: EndpointTable = {
  requestComputerPartition: {
    method: 'POST',
    async handle(call, context) {
      const request = decodeRequest(call);
      if (request.shared && request.filter.externalMasterUrl === null) {
        const fake = fakeFrontend(request.softwareRelease, request.softwareType, request.parameters);
        if (fake) return marshalled(fakeFrontendAnswer(fake.partitionId, fake.connection));
      }
      return context.store.transaction(async (tx) => {
        const outcome = await requestInstance(tx, request, { defaultComputerId: context.defaultComputerId, now: context.now });
        if (outcome.kind === 'instance') {
          const { partition } = outcome;
          const addresses = await tx.listAddresses(partition.computerReference, partition.reference);
          return marshalled(instanceAnswer(partition, addresses, outcome.requestedState));
        }
        const addresses = await tx.listAddresses(outcome.host.computerReference, outcome.host.reference);
        return marshalled(slaveAnswer(outcome.host, outcome.slave, request.parameterXml, addresses));
      });
    },
  },
};
