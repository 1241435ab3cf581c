import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SlapOSError } from '../errors/index.ts';
import { NodeErrorCode } from './errors.ts';

/**
 * The free-space guard of software builds and instance deployments (spec
 * node.md §4.2, §5.4): `software_min_free_space` / `instance_min_free_space`
 * are sizes as the original's human2bytes reads them, powers of 1024.
 */
export const GRID_ERR_DISK_SPACE = NodeErrorCode.DISK_SPACE;

/**
 * Unit words, each standing for the power of 1024 of its position, as the
 * original's symbol tables (customary, slapos, spelled out, IEC): `1000M`,
 * `2 GB`, `512Ki`, `1 mega`; a bare number is bytes.
 */
const UNIT_TABLES: ReadonlyArray<readonly string[]> = [
  ['B', 'K', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'],
  ['', 'KB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'],
  ['byte', 'kilo', 'mega', 'giga', 'tera', 'peta', 'exa', 'zetta', 'iotta'],
  ['Bi', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi'],
  ['byte', 'kibi', 'mebi', 'gibi', 'tebi', 'pebi', 'exbi', 'zebi', 'yobi'],
];

/** How the original prints sizes in its message (bytes2human, "slapos" symbols). */
const PRINTED_UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

function powerOf(written: string): number | undefined {
  // the original takes a lowercase `k` for `K` (and no other lowercase unit letter)
  const unit = written === 'k' ? 'K' : written;
  for (const table of UNIT_TABLES) {
    const power = table.indexOf(unit);
    if (power >= 0) return power;
  }
  return undefined;
}

/** A size (`1000M`, `2G`, `512K`, `0.5 GB`, `4096`) in bytes; undefined when it is not one. */
export function parseSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d*)?|\.\d+)\s*(\S*)$/.exec(text.trim());
  if (match === null) return undefined;
  const power = powerOf(match[2]!);
  if (power === undefined) return undefined;
  return Math.trunc(Number(match[1]) * 1024 ** power);
}

/** `1000.0 MB`, as the original writes sizes in its message. */
export function formatSize(bytes: number): string {
  let power = 0;
  while (power < PRINTED_UNITS.length - 1 && bytes >= 1024 ** (power + 1)) power += 1;
  return `${(bytes / 1024 ** power).toFixed(1)} ${PRINTED_UNITS[power]}`;
}

/**
 * Bytes available to a non-root user on the filesystem of `path`, or of its
 * nearest existing parent (a software directory does not exist before its
 * first build).
 */
export async function availableSpace(path: string): Promise<number> {
  for (let current = path; ; current = dirname(current)) {
    try {
      const info = await statfs(current);
      return info.bavail * info.bsize;
    } catch (error) {
      if (dirname(current) === current) throw error;
    }
  }
}

export interface FreeSpaceRequirement {
  /** Where the build or deployment writes. */
  path: string;
  /** Bytes that must stay available; 0 turns the check off. */
  required: number;
  /** The slapos.cfg option the requirement comes from, named in the error. */
  option: 'software_min_free_space' | 'instance_min_free_space';
}

/** Refuses, with GRID_ERR_DISK_SPACE, to work where less than the required space is left. */
export async function checkFreeSpace(requirement: FreeSpaceRequirement): Promise<void> {
  if (requirement.required <= 0) return;
  const available = await availableSpace(requirement.path);
  if (available < requirement.required) {
    throw new SlapOSError(GRID_ERR_DISK_SPACE, `Not enough space for ${requirement.path}: available ${formatSize(available)}, `
      + `required ${formatSize(requirement.required)} (option '${requirement.option}')`);
  }
}
