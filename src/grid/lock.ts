import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SlapOSError } from '../errors/index.ts';
import type { Logger } from '../log/index.ts';
import { NodeErrorCode } from './errors.ts';

export const GRID_ERR_LOCKED = NodeErrorCode.LOCKED;
export const GRID_ERR_LOCK_IO = NodeErrorCode.LOCK_IO;

/** A held pid-file lock; `release()` removes the file if it still holds our pid. */
export interface PidLock {
  readonly path: string;
  release(): void;
}

export interface PidLockOptions {
  logger?: Logger;
  /** Pid written into the file (default: this process). */
  pid?: number;
}

/**
 * Takes the pid-file lock at `path`, as slapgrid does around a run: the file
 * holds the pid (no newline). A file naming a process that no longer exists is
 * stale and taken over; one naming a live process makes this throw
 * GRID_ERR_LOCKED. Creation goes through link(2) of a private temporary file so
 * that two runs racing for a free lock cannot both win.
 */
export function acquirePidLock(path: string, options: PidLockOptions = {}): PidLock {
  const pid = options.pid ?? process.pid;
  const candidate = join(dirname(path), `.${basename(path)}.${pid}.tmp`);
  try {
    writeFileSync(candidate, String(pid));
  } catch (error) {
    throw new SlapOSError(GRID_ERR_LOCK_IO, `cannot write pid file ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    // two attempts: the second one after removing a stale file
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        linkSync(candidate, path);
        return { path, release: () => releasePidLock(path, pid) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new SlapOSError(GRID_ERR_LOCK_IO, `cannot create pid file ${path}: ${(error as Error).message}`, { cause: error });
        }
      }
      const holder = readPid(path);
      if (holder !== undefined && holder !== pid && isAlive(holder)) {
        throw new SlapOSError(GRID_ERR_LOCKED, `A slapgrid process is running with pid ${holder} (pid file ${path})`, { status: 409 });
      }
      options.logger?.info(`Pid file ${path} was stale, taking it over`, { stalePid: holder });
      removeStale(path, holder);
    }
    throw new SlapOSError(GRID_ERR_LOCKED, `pid file ${path} keeps being taken by another process`, { status: 409 });
  } finally {
    unlinkQuietly(candidate);
  }
}

/** The pid in a pid file, or undefined when the file is missing or not a pid. */
function readPid(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const match = /^\s*(\d+)\s*$/.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** Whether a process with this pid exists (EPERM means it exists under another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes a stale pid file, but only if it still names the stale pid: it is
 * first renamed away, and put back if another process took it over meanwhile.
 */
function removeStale(path: string, stalePid: number | undefined): void {
  const aside = `${path}.stale.${process.pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // already gone: the next link attempt decides
  }
  if (readPid(aside) !== stalePid) {
    try { linkSync(aside, path); } catch { /* someone else holds it now; next attempt will see it */ }
  }
  unlinkQuietly(aside);
}

function releasePidLock(path: string, pid: number): void {
  if (readPid(path) === pid) unlinkQuietly(path);
}

function unlinkQuietly(path: string): void {
  try { unlinkSync(path); } catch { /* already removed */ }
}
