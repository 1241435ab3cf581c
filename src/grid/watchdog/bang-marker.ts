import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * At most one bang per successful deployment (spec node.md §8.1, HEAD): the
 * watchdog remembers in `<partition>/.slapos_latest_bang_timestamp` which
 * deployment (`.timestamp`, written by slapgrid after each successful run)
 * it last banged for. A service dying again and again before the partition
 * was deployed anew bangs once, not once per exit.
 */
export const BANG_MARKER_FILE = '.slapos_latest_bang_timestamp';
const TIMESTAMP_FILE = '.timestamp';

function numeric(text: string): number | undefined {
  const trimmed = text.trim();
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed) ? Number(trimmed) : undefined;
}

/**
 * Whether a bang was already sent for the current deployment: `marker` is
 * the bang file's content, `deployed` the `.timestamp` content (undefined
 * when missing). No marker: never banged. No deployment: the partition never
 * deployed successfully since, the bang already sent covers it.
 */
export function bangAlreadySent(marker: string | undefined, deployed: string | undefined): boolean {
  if (marker === undefined) return false;
  if (deployed === undefined) return true;
  const markerValue = numeric(marker);
  const deployedValue = numeric(deployed);
  if (markerValue === undefined || deployedValue === undefined) return marker.trim() === deployed.trim();
  return deployedValue <= markerValue;
}

async function readOptional(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
}

export async function bangAlreadySentFor(partitionPath: string): Promise<boolean> {
  return bangAlreadySent(await readOptional(join(partitionPath, BANG_MARKER_FILE)), await readOptional(join(partitionPath, TIMESTAMP_FILE)));
}

/** Remembers that the current deployment was banged for. */
export async function recordBang(partitionPath: string): Promise<void> {
  const deployed = await readOptional(join(partitionPath, TIMESTAMP_FILE));
  await writeFile(join(partitionPath, BANG_MARKER_FILE), deployed ?? '0');
}
