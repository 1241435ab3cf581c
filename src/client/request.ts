import type { Slap } from '../slap/index.ts';
import { hasCode } from '../errors/index.ts';
import { ClientError, CLIENT_ERROR_CODES } from './errors.ts';
import type { InstanceParameters } from './parameters.ts';
import { resolveSoftwareProduct } from './software-release.ts';

/** The states a person may ask an instance to be in. */
export const REQUESTED_STATES = ['started', 'stopped', 'destroyed'] as const;
export type RequestedState = (typeof REQUESTED_STATES)[number];

/** One `slapos request`, fully checked before anything is sent. */
export interface InstanceRequest {
  /** The instance title (its reference for the person). */
  reference: string;
  /** A URL, an absolute path, or `product.NAME`. */
  softwareRelease: string;
  softwareType?: string;
  state?: RequestedState;
  /** A slave (shared) instance hosted by another one. */
  shared: boolean;
  parameters: InstanceParameters;
  /** `--node` filter, e.g. `{ computer_guid: 'COMP-1' }`. */
  filter: Record<string, string>;
}

/** What the master said: the instance and its connection parameters, or "ask again later". */
export type RequestOutcome =
  | { ready: true; reference: string; softwareRelease: string; state: string; connectionParameters: Record<string, unknown> }
  | { ready: false; reference: string; softwareRelease: string };

/** Checks the parts of a request that the argument parser cannot. */
export function checkInstanceRequest(request: InstanceRequest): InstanceRequest {
  if (request.reference.trim() === '') throw new ClientError(CLIENT_ERROR_CODES.INVALID_OPTION, 'the instance reference (NAME) is empty');
  if (request.state !== undefined && !REQUESTED_STATES.includes(request.state)) {
    throw new ClientError(CLIENT_ERROR_CODES.INVALID_OPTION, `--state must be one of ${REQUESTED_STATES.join(', ')}, not ${JSON.stringify(request.state)}`);
  }
  if (request.softwareType !== undefined && request.softwareType.trim() === '') {
    throw new ClientError(CLIENT_ERROR_CODES.INVALID_OPTION, '--type is empty');
  }
  return request;
}

/**
 * Requests (or updates) an instance as a person, then reads back its
 * requested state and connection parameters. A master that has not allocated
 * it yet is not an error: the outcome says so and the person asks again.
 */
export async function requestInstance(slap: Slap, request: InstanceRequest): Promise<RequestOutcome> {
  const { reference } = request;
  const softwareRelease = await resolveSoftwareProduct(slap, request.softwareRelease);
  try {
    const instance = await slap.registerOpenOrder().request({
      softwareRelease,
      partitionReference: reference,
      partitionParameterKw: request.parameters,
      softwareType: request.softwareType,
      filterKw: request.filter,
      state: request.state,
      shared: request.shared,
    });
    const state = await instance.getState();
    const connectionParameters = decodeConnectionParameters(await instance.getConnectionParameterDict());
    return { ready: true, reference, softwareRelease, state, connectionParameters };
  } catch (error) {
    if (hasCode(error, 'SLAP_ERR_RESOURCE_NOT_READY')) return { ready: false, reference, softwareRelease };
    throw error;
  }
}

/**
 * Connection parameters published as JSON in the single `_` key (the
 * json-in-xml convention) are shown decoded, as the original does for
 * releases declaring that serialisation; other shapes are shown as published.
 */
export function decodeConnectionParameters(published: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const keys = Object.keys(published);
  const json = published._;
  if (keys.length === 1 && typeof json === 'string') {
    try {
      const decoded: unknown = JSON.parse(json);
      if (decoded !== null && typeof decoded === 'object' && !Array.isArray(decoded)) return decoded as Record<string, unknown>;
    } catch {
      // Not JSON after all: show it as published.
    }
  }
  return { ...published };
}
