import { ComputerPartition, Slap } from '../../slap/index.ts';
import type { Logger } from '../../log/index.ts';
import type { Value, ValueDict } from '../values.ts';

/** How a recipe reaches the master: the partition's `[slap-connection]` values. */
export interface SlapConnectionOptions {
  serverUrl: string;
  computerId: string;
  partitionId: string;
  keyFile?: string | undefined;
  certFile?: string | undefined;
}

/**
 * Runs `work` with the recipe's own partition, then closes the connection
 * (recipes talk to the master a few times per run; nothing is kept open).
 */
export async function withPartition<T>(connection: SlapConnectionOptions, logger: Logger,
  work: (partition: ComputerPartition, slap: Slap) => Promise<T>): Promise<T> {
  const slap = new Slap({ logger });
  try {
    slap.initializeConnection(connection.serverUrl, {
      keyFile: connection.keyFile || undefined,
      certFile: connection.certFile || undefined,
      // Lets the SLAP library record requested instances as slapgrid expects (read, never written).
      instanceRoot: process.env.SLAPGRID_INSTANCE_ROOT,
    });
    const partition = await slap.registerComputerPartition(connection.computerId, connection.partitionId);
    return await work(partition, slap);
  } finally {
    await slap.close();
  }
}

/**
 * A value decoded from the master (tuples, floats, big integers, objects of
 * the codec) as a plain option value: tuples become lists, numbers numbers.
 */
export function optionValue(value: unknown): Value {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(optionValue);
  if (typeof value === 'object') {
    const object = value as { items?: unknown; value?: unknown; attributes?: unknown; toJSON?: unknown };
    if (Array.isArray(object.items)) return object.items.map(optionValue);
    if (typeof object.value === 'number' && typeof object.toJSON === 'function') return object.value;
    const source = (typeof object.attributes === 'object' && object.attributes !== null ? object.attributes : object) as Record<string, unknown>;
    const dict: ValueDict = {};
    for (const [key, item] of Object.entries(source)) dict[key] = optionValue(item);
    return dict;
  }
  return String(value);
}
