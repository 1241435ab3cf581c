import { marshal, type MarshalDict } from '../codec/index.ts';
import { invalidArgument } from '../errors.ts';
import { isDict } from './documents.ts';

/** What a caller asks the master for: an instance (or, with `shared`, a slave instance). */
export interface InstanceRequest {
  /** URL of the software release to deploy. */
  softwareRelease: string;
  /** Instance title (`partition_reference` on the wire). */
  partitionReference: string;
  /** Defaults to `default`. */
  softwareType?: string | null;
  /** A slave (shared) instance, hosted by another instance's partition. */
  shared?: boolean;
  /** Instance parameters; the master stores every value as text. */
  partitionParameterKw?: MarshalDict | null;
  /** SLA: `computer_guid`, `instance_guid`, ... */
  filterKw?: MarshalDict | null;
  /** `started`, `stopped`, `destroyed`, or unset to keep the current one. */
  state?: RequestedInstanceState | null;
}

export type RequestedInstanceState = 'started' | 'stopped' | 'destroyed';
const INSTANCE_STATES: readonly string[] = ['started', 'stopped', 'destroyed'];
const DEFAULT_SOFTWARE_TYPE = 'default';

export type RequestForm = Record<string, string>;

/**
 * The requestComputerPartition form of a request. `requester` (the calling
 * partition) is absent for a user's request (OpenOrder). Field order follows
 * the Python clients', so bodies are byte-identical.
 */
export function requestForm(request: InstanceRequest, requester?: { computerId: string; partitionId: string }): RequestForm {
  checkRequest(request);
  const softwareType = request.softwareType ?? DEFAULT_SOFTWARE_TYPE;
  const parameters = marshal(request.partitionParameterKw ?? {});
  const filter = marshal(request.filterKw ?? {});
  const state = marshal(request.state ?? null);
  const shared = marshal(request.shared ?? false);
  if (requester === undefined) {
    return {
      software_release: request.softwareRelease,
      partition_reference: request.partitionReference,
      partition_parameter_xml: parameters,
      filter_xml: filter,
      software_type: softwareType,
      state,
      shared_xml: shared,
    };
  }
  return {
    computer_id: requester.computerId,
    computer_partition_id: requester.partitionId,
    software_release: request.softwareRelease,
    software_type: softwareType,
    partition_reference: request.partitionReference,
    shared_xml: shared,
    partition_parameter_xml: parameters,
    filter_xml: filter,
    state,
  };
}

function checkRequest(request: InstanceRequest): void {
  if (typeof request.softwareRelease !== 'string' || request.softwareRelease === '') {
    throw invalidArgument('request: softwareRelease must be a non-empty URL');
  }
  if (typeof request.partitionReference !== 'string' || request.partitionReference === '') {
    throw invalidArgument('request: partitionReference (the instance title) must be non-empty text');
  }
  if (request.softwareType != null && typeof request.softwareType !== 'string') {
    throw invalidArgument('request: softwareType must be text');
  }
  for (const [name, value] of [['partitionParameterKw', request.partitionParameterKw], ['filterKw', request.filterKw]] as const) {
    if (value != null && !isDict(value)) throw invalidArgument(`request: ${name} must be a dictionary`);
  }
  if (request.state != null && !INSTANCE_STATES.includes(request.state)) {
    throw invalidArgument(`request: state ${JSON.stringify(request.state)} is not one of ${INSTANCE_STATES.join(', ')}`);
  }
  if (request.shared != null && typeof request.shared !== 'boolean') {
    throw invalidArgument('request: shared must be true or false');
  }
}
