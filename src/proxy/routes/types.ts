import type { MarshalValue } from '../../slap/index.ts';
import type { Logger } from '../../log/index.ts';
import type { Fields } from '../http/fields.ts';
import type { ProxyStore } from '../store/types.ts';

/** What every endpoint may use; built once per proxy. */
export interface ProxyContext {
  store: ProxyStore;
  /** The configured computer: where instances go without an SLA, always known to getFullComputerInformation. */
  defaultComputerId: string;
  /** Seconds since the epoch. */
  now: () => number;
  logger: Logger;
  /** `[slapproxy] software_product_list`: product reference → software release URL. */
  softwareProducts: ReadonlyMap<string, string>;
  /** Random text fixed at start: a proxy recognises itself among master URLs by it. */
  runId: string;
  /** The last getFullComputerInformation answer of each computer, with the store's change mark it was built at. */
  computerAnswers: Map<string, { mark: string; xml: Buffer }>;
}

/** One SLAP call, already parsed. */
export interface SlapCall {
  fields: Fields;
  /** Base URL the caller used (scheme://host), to recognise a master_url naming this proxy. */
  origin: string;
}

/** A value the server marshals, an already marshalled document (UTF-8, sent as is), or a short text word clients ignore. */
export type Answer = { marshal: MarshalValue } | { xml: Buffer } | { text: string };

export interface Endpoint {
  method: 'GET' | 'POST';
  handle(call: SlapCall, context: ProxyContext): Promise<Answer>;
}

/** Endpoint name (last path segment) → endpoint. */
export type EndpointTable = Readonly<Record<string, Endpoint>>;

export function text(value: string): Answer {
  return { text: value };
}

export function marshalled(value: MarshalValue): Answer {
  return { marshal: value };
}

/** For node reports the proxy does not act on: any POST succeeds without reading its fields. */
export const IGNORED: Answer = { text: 'Ignored' };
