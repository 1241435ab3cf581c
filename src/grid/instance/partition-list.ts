import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { hasCode } from '../../errors/index.ts';
import type { Logger } from '../../log/index.ts';
import { PyFloat, type ComputerPartition } from '../../slap/index.ts';
import type { NodeConfig } from '../node-config.ts';
import { lookupUser } from '../spawn.ts';
import { softwareUrlHash } from '../software/hash.ts';
import { InstanceError } from './errors.ts';
import type { PartitionContext } from './phases.ts';

/*
 * From the master's partition list to the partitions a run looks at, shared
 * by `slapos node instance` and `slapos node promise`.
 */

function timestampOf(partition: ComputerPartition): string | undefined {
  const value = partition.getInstanceParameterDict().timestamp;
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  if (value instanceof PyFloat) return String(value.value);
  return undefined;
}

function softwareReleaseUrlOf(partition: ComputerPartition): string | undefined {
  try {
    return partition.getSoftwareRelease().getURI() || undefined;
  } catch (error) {
    if (hasCode(error, 'SLAP_ERR_NOT_FOUND')) return undefined;
    throw error;
  }
}

/** The partitions to look at: all of them, or those of `--only-cp`, which must all exist. */
export function selectPartitions(partitions: ComputerPartition[], onlyCp: string[] | undefined): ComputerPartition[] {
  if (onlyCp === undefined || onlyCp.length === 0) return partitions;
  const known = new Set(partitions.map((p) => p.getId()));
  const unknown = onlyCp.filter((id) => !known.has(id));
  if (unknown.length > 0) throw new InstanceError('GRID_ERR_UNKNOWN_PARTITION', `Unknown partition(s): ${unknown.join(', ')}`);
  const wanted = new Set(onlyCp);
  return partitions.filter((p) => wanted.has(p.getId()));
}

/**
 * What processing needs to know about a partition, or undefined for a free
 * partition or one without a software release (left alone). A missing
 * partition directory is an error.
 */
export async function partitionContext(config: NodeConfig, partition: ComputerPartition, logger: Logger): Promise<PartitionContext | undefined> {
  const id = partition.getId();
  const softwareReleaseUrl = softwareReleaseUrlOf(partition);
  if (softwareReleaseUrl === undefined) {
    logger.debug('No software release, partition left alone', { partition: id });
    return undefined;
  }
  const path = join(config.instanceRoot, id);
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory()) throw new InstanceError('GRID_ERR_PARTITION_DIRECTORY', `Please create partition directory ${path}`);
  const user = await lookupUser(info.uid);
  return {
    id,
    path,
    requestedState: partition.getState(),
    softwareReleaseUrl,
    softwarePath: join(config.softwareRoot, softwareUrlHash(softwareReleaseUrl)),
    masterTimestamp: timestampOf(partition),
    account: { uid: info.uid, gid: info.gid, name: user.name, home: user.home },
    partition,
    logger: logger.child({ partition: id }),
  };
}
