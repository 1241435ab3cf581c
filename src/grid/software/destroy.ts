import { chmod, lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SoftwareErrorCode, softwareError } from './errors.ts';

/**
 * Removes an installed software release. Directories a build left without
 * write permission (read-only trees are common in buildout parts) are made
 * writable and the removal retried; symlinks are removed, never followed.
 */
export async function removeSoftwareDirectory(path: string): Promise<void> {
  try {
    await rm(path, { recursive: true, force: true });
    return;
  } catch (error) {
    if (!isPermissionError(error)) throw destroyError(path, error);
  }
  try {
    await makeTreeWritable(path);
    await rm(path, { recursive: true, force: true });
  } catch (error) {
    throw destroyError(path, error);
  }
}

async function makeTreeWritable(path: string): Promise<void> {
  const info = await lstat(path);
  if (!info.isDirectory()) return;
  await chmod(path, (info.mode & 0o7777) | 0o700);
  for (const name of await readdir(path)) await makeTreeWritable(join(path, name));
}

function isPermissionError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM';
}

function destroyError(path: string, cause: unknown): Error {
  return softwareError(SoftwareErrorCode.DESTROY_FAILED, `I/O error while removing software ${path}: ${(cause as Error).message}`, cause);
}
