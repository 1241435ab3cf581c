import { chmod, lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ReportError } from './errors.ts';

/** Errors a removal can fix by making the directories of the tree writable. */
const PERMISSION_ERRORS = new Set(['EACCES', 'EPERM']);

/**
 * Adds owner rwx to every directory of the tree (symbolic links are not
 * followed): an instance may leave read-only directories, whose entries
 * cannot be removed otherwise.
 */
async function makeDirectoriesWritable(path: string): Promise<void> {
  const info = await lstat(path).catch(() => undefined);
  if (!info?.isDirectory()) return;
  if ((info.mode & 0o700) !== 0o700) await chmod(path, (info.mode & 0o7777) | 0o700).catch(() => undefined);
  for (const name of await readdir(path).catch(() => [] as string[])) await makeDirectoriesWritable(join(path, name));
}

async function removeEntry(path: string): Promise<void> {
  try {
    await rm(path, { recursive: true, force: true });
  } catch (error) {
    if (!PERMISSION_ERRORS.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    await makeDirectoriesWritable(path);
    await rm(path, { recursive: true, force: true });
  }
}

/**
 * Deletes everything inside `directory`, which itself stays with its owner
 * and mode. Whatever cannot be removed (an immutable file, a mount point,
 * a file system error) makes this throw GRID_ERR_PARTITION_CLEANUP naming
 * the entries that are left, after every other entry was removed.
 */
export async function emptyDirectory(directory: string): Promise<void> {
  const left: string[] = [];
  for (const name of await readdir(directory)) {
    const path = join(directory, name);
    try {
      await removeEntry(path);
    } catch (error) {
      left.push(`${path}: ${(error as Error).message}`);
    }
  }
  if (left.length > 0) {
    throw new ReportError('GRID_ERR_PARTITION_CLEANUP', `cannot empty ${directory}, left:\n${left.join('\n')}`);
  }
}
