import type { MarshalDict } from '../slap/index.ts';
import { ProxyError } from './errors.ts';
import { encodeTypedJson } from './typed-json.ts';
import type { InstanceState, PartitionRecord, SlaveRecord, StoreTransaction } from './store/types.ts';

/**
 * What requestComputerPartition asks for, decoded by the route. The
 * parameters come twice: typed (kept as they are for slaves) and as the
 * `<instance>` document a regular instance stores (compared as text to
 * decide whether the node must reprocess the instance).
 */
export interface InstanceRequest {
  softwareRelease: string;
  softwareType: string;
  title: string;
  parameters: MarshalDict;
  parameterXml: string;
  /**
   * SLA: `computer_guid`, `instance_guid` (slave host), and `master_url`
   * when it names another master (this proxy forwards to none).
   */
  filter: { computerGuid: string | null; instanceGuid: string | null; externalMasterUrl: string | null };
  /** null: keep the stored state (started for a new instance). */
  requestedState: InstanceState | null;
  shared: boolean;
  /** The partition that asks, or null for a user request. */
  requester: { computerId: string; partitionId: string } | null;
}

export interface AllocationContext {
  /** The configured computer, where an instance goes when the SLA names none. */
  defaultComputerId: string;
  /** Current time in seconds since the epoch. */
  now: () => number;
}

export type RequestOutcome =
  | { kind: 'instance'; partition: PartitionRecord; requestedState: InstanceState }
  | { kind: 'slave'; host: PartitionRecord; slave: SlaveRecord };

/** The software type given to a new instance requested without one. */
const DEFAULT_SOFTWARE_TYPE = 'default';

/**
 * The title of the root of the requester's tree: instances are identified by
 * (title, root title), so two trees may both have a `backend`. A user
 * request, or one from an unknown partition, has the root title ''.
 */
async function requesterRoot(tx: StoreTransaction, requester: InstanceRequest['requester']): Promise<string> {
  if (!requester) return '';
  const partition = await tx.getPartition(requester.computerId, requester.partitionId);
  if (!partition) return '';
  return partition.requestedBy || (partition.title ?? '');
}

/**
 * A timestamp tells the node that an instance changed. It must grow even
 * when two changes fall in the same clock tick, or the node could miss the
 * second one.
 */
export function nextTimestamp(previous: number | null, now: number): number {
  if (previous !== null && now <= previous) return previous + 0.001;
  return now;
}

export async function requestInstance(tx: StoreTransaction, request: InstanceRequest, context: AllocationContext): Promise<RequestOutcome> {
  const requestedBy = await requesterRoot(tx, request.requester);
  return request.shared
    ? requestSlave(tx, request, requestedBy, context)
    : requestRegular(tx, request, requestedBy, context);
}

/** A new instance for another master: the original forwards it when configured to; this proxy never is. */
function refuseForwarding(request: InstanceRequest): void {
  const url = request.filter.externalMasterUrl;
  if (url !== null) {
    throw new ProxyError('PROXY_ERR_UNKNOWN_MASTER', `External SlapOS Master URL ${url} is not listed in multimaster list.`);
  }
}

async function requestRegular(tx: StoreTransaction, request: InstanceRequest, requestedBy: string, context: AllocationContext): Promise<RequestOutcome> {
  let partition = await tx.findInstance(request.title, requestedBy);
  let requestedState = request.requestedState;
  let softwareType = request.softwareType;
  if (!partition) {
    refuseForwarding(request);
    const computerId = request.filter.computerGuid ?? context.defaultComputerId;
    partition = await tx.findFreePartition(computerId);
    if (!partition) {
      throw new ProxyError('PROXY_ERR_NO_FREE_PARTITION', `No free computer partition found for: ${request.title}`);
    }
    partition = { ...partition, title: request.title || partition.title, requestedBy, requestedState: 'started' };
    // Only a new instance gets the default type; an update with '' stores '' (as the original does).
    if (!softwareType) softwareType = DEFAULT_SOFTWARE_TYPE;
  } else if (requestedBy) {
    // A stopped or destroyed root forces its state on the whole tree; a started one forces nothing.
    const root = await tx.findInstance(requestedBy, '');
    if (root && root.requestedState !== 'started') requestedState = root.requestedState;
  }
  const wanted = {
    requestedState: requestedState ?? partition.requestedState,
    softwareRelease: request.softwareRelease,
    softwareType,
    parameterXml: request.parameterXml,
  };
  const changed = partition.timestamp === null
    || (Object.keys(wanted) as (keyof typeof wanted)[]).some((field) => partition[field] !== wanted[field]);
  const timestamp = changed ? nextTimestamp(partition.timestamp, context.now()) : partition.timestamp;
  const updated: PartitionRecord = { ...partition, ...wanted, slapState: 'busy', timestamp };
  await tx.updatePartition(partition.computerReference, partition.reference, {
    slapState: 'busy', title: updated.title, requestedBy: updated.requestedBy, ...wanted, timestamp,
  });
  return { kind: 'instance', partition: updated, requestedState: requestedState ?? 'started' };
}

async function requestSlave(tx: StoreTransaction, request: InstanceRequest, requestedBy: string, context: AllocationContext): Promise<RequestOutcome> {
  const computerId = request.filter.computerGuid ?? context.defaultComputerId;
  const reference = `${requestedBy}_${request.title}`;
  const previous = await tx.getSlave(computerId, reference);
  if (!previous) refuseForwarding(request);
  let hostId: string | null = null;
  if (request.filter.instanceGuid) {
    // An instance guid is `<computer>-<partition>` in this proxy.
    const prefix = `${computerId}-`;
    hostId = request.filter.instanceGuid.startsWith(prefix) ? request.filter.instanceGuid.slice(prefix.length) : request.filter.instanceGuid;
  }
  const host = await tx.findHostPartition(computerId, request.softwareRelease, request.softwareType || null, hostId);
  if (!host) {
    throw new ProxyError('PROXY_ERR_NO_HOST_PARTITION',
      `No partition corresponding to slave request: ${request.softwareRelease} ${request.softwareType || '(any type)'} on ${computerId}${hostId ? ` ${hostId}` : ''}`);
  }
  const listed = request.requestedState !== 'destroyed';
  const wasListedHere = previous !== undefined && previous.listed && previous.hostedBy === host.reference;
  const sameEntry = wasListedHere && previous.softwareType === request.softwareType
    && encodeTypedJson(previous.parameters) === encodeTypedJson(request.parameters);
  const listChanged = listed ? !sameEntry : wasListedHere;
  const slave: SlaveRecord = {
    computerReference: computerId,
    reference,
    askedBy: requestedBy,
    hostedBy: host.reference,
    softwareType: request.softwareType,
    parameters: request.parameters,
    connectionXml: previous?.connectionXml ?? null,
    listed,
  };
  await tx.putSlave(slave);
  let updatedHost = host;
  if (listChanged) {
    // The host must be reprocessed to serve (or stop serving) the slave.
    const timestamp = nextTimestamp(host.timestamp, context.now());
    await tx.updatePartition(host.computerReference, host.reference, { timestamp });
    updatedHost = { ...host, timestamp };
  }
  return { kind: 'slave', host: updatedHost, slave };
}
