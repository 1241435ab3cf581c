import { mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runChild } from '../spawn.ts';
import { SoftwareErrorCode, softwareError } from './errors.ts';

const TAR = 'tar';
const TAR_ENV: NodeJS.ProcessEnv = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' };

/** A gzip tarball of `softwareRoot/<hash>` with `<hash>` as its only top-level entry. */
export async function createSoftwareArchive(softwareRoot: string, hash: string, archive: string): Promise<void> {
  const result = await runChild({ command: TAR, args: ['-czf', archive, '-C', softwareRoot, '--', hash], cwd: softwareRoot, env: TAR_ENV });
  if (!result.ok) throw softwareError(SoftwareErrorCode.BAD_ARCHIVE, `cannot archive ${join(softwareRoot, hash)}: ${result.outputTail.trim()}`);
}

/**
 * Installs a downloaded archive as `softwareRoot/<hash>`: its member list is
 * checked first (everything under `<hash>/`, no `..`), then it is extracted in
 * a scratch directory and renamed into place, so that a corrupt archive never
 * leaves a half-installed release behind.
 */
export async function extractSoftwareArchive(archive: string, softwareRoot: string, hash: string): Promise<void> {
  const listing = await runChild({ command: TAR, args: ['-tzf', archive], cwd: softwareRoot, env: TAR_ENV, tailSize: 1 << 24 });
  if (!listing.ok) throw softwareError(SoftwareErrorCode.BAD_ARCHIVE, `corrupt archive for ${hash}: ${lastLine(listing.outputTail)}`);
  const members = listing.outputTail.split('\n').filter((line) => line !== '');
  const stray = members.find((member) => !isMemberOf(member, hash));
  if (members.length === 0 || stray !== undefined) {
    throw softwareError(SoftwareErrorCode.BAD_ARCHIVE, `archive for ${hash} holds ${stray === undefined ? 'nothing' : JSON.stringify(stray)}, not only ${hash}/`);
  }
  const scratch = await mkdtemp(join(softwareRoot, `.${hash}-extract-`));
  try {
    const extracted = await runChild({ command: TAR, args: ['-xzf', archive, '-C', scratch], cwd: scratch, env: TAR_ENV });
    if (!extracted.ok) throw softwareError(SoftwareErrorCode.BAD_ARCHIVE, `corrupt archive for ${hash}: ${lastLine(extracted.outputTail)}`);
    await rename(join(scratch, hash), join(softwareRoot, hash));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function isMemberOf(member: string, hash: string): boolean {
  const path = member.replace(/^\.\//, '');
  if (path !== hash && path !== `${hash}/` && !path.startsWith(`${hash}/`)) return false;
  return !path.split('/').includes('..');
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}
