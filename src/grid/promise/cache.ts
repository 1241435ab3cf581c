import { readFile, stat } from 'node:fs/promises';
import { ensurePromiseStateDirectory, promiseStatePath, writeStateFile, type ResultOwner } from './state-directory.ts';

/** Minutes between two runs of a legacy promise, as the original's wrapper. */
export const LEGACY_PROMISE_PERIODICITY_MINUTES = 2;

/**
 * `<partition>/.slapgrid/promise/cache/<title>`, the original's per-promise
 * cache (spec node.md §6.2): when the promise may run again. Times are
 * seconds since the epoch, as Python's time.time().
 */
export interface PromiseCache {
  is_tested: boolean;
  is_anomaly_detected: boolean;
  periodicity: number;
  next_run_after: number;
  timestamp: number;
  module_file: string;
  module_file_mtime: number;
}

/** The promise's cache, or undefined when missing, unreadable, or naming a file that no longer exists (as the original). */
export async function readPromiseCache(partitionPath: string, title: string): Promise<PromiseCache | undefined> {
  const text = await readFile(promiseStatePath(partitionPath, 'cache', title), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  let cache: Partial<PromiseCache>;
  try {
    cache = JSON.parse(text) as Partial<PromiseCache>;
  } catch {
    return undefined;
  }
  if (typeof cache.next_run_after !== 'number' || typeof cache.module_file !== 'string') return undefined;
  if (!(await stat(cache.module_file).then(() => true, () => false))) return undefined;
  return cache as PromiseCache;
}

/** Records that the promise (the file at `promisePath`) ran at `nowMs`: it is due again one periodicity later. */
export async function writePromiseCache(partitionPath: string, title: string, promisePath: string, nowMs: number, owner?: ResultOwner): Promise<void> {
  const mtime = await stat(promisePath).then((info) => info.mtimeMs / 1000, () => 0);
  const now = nowMs / 1000;
  const cache: PromiseCache = {
    is_tested: true,
    is_anomaly_detected: true,
    periodicity: LEGACY_PROMISE_PERIODICITY_MINUTES,
    next_run_after: now + LEGACY_PROMISE_PERIODICITY_MINUTES * 60,
    timestamp: now,
    module_file: promisePath,
    module_file_mtime: mtime,
  };
  await ensurePromiseStateDirectory(partitionPath, 'cache', owner);
  await writeStateFile(promiseStatePath(partitionPath, 'cache', title), JSON.stringify(cache), owner);
}
