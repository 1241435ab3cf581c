import { chown, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Who owns the promise state files (the partition user), applied when slapgrid runs as root. */
export interface ResultOwner {
  uid: number;
  gid: number;
}

/** The folders of `<partition>/.slapgrid/promise` (spec node.md §6.2). */
export type PromiseStateKind = 'result' | 'cache' | 'log';

export function promiseStatePath(partitionPath: string, kind: PromiseStateKind, file: string): string {
  return join(partitionPath, '.slapgrid', 'promise', kind, file);
}

const isRoot = (): boolean => process.getuid?.() === 0;

/**
 * Creates `<partition>/.slapgrid/promise/<kind>` owned by the partition user:
 * the Python launcher, running as that user, writes into the same folders.
 */
export async function ensurePromiseStateDirectory(partitionPath: string, kind: PromiseStateKind, owner: ResultOwner | undefined): Promise<void> {
  const slapgrid = join(partitionPath, '.slapgrid');
  for (const path of [slapgrid, join(slapgrid, 'promise'), join(slapgrid, 'promise', kind)]) {
    await mkdir(path, { recursive: true, mode: 0o750 });
    if (owner && isRoot()) await chown(path, owner.uid, owner.gid);
  }
}

/** Replaces a state file atomically (a temporary file renamed over it), owned by the partition user. */
export async function writeStateFile(path: string, content: string, owner: ResultOwner | undefined): Promise<void> {
  const temporary = `${path}.tmp`;
  await writeFile(temporary, content);
  if (owner && isRoot()) await chown(temporary, owner.uid, owner.gid);
  await rename(temporary, path);
}

/** Gives a state file appended to by slapgrid to the partition user. */
export async function ownStateFile(path: string, owner: ResultOwner | undefined): Promise<void> {
  if (owner && isRoot()) await chown(path, owner.uid, owner.gid);
}
