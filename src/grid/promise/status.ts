import { chown, mkdir, rename, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { PromiseResult } from './run.ts';

/** Who owns the result files (the partition user), applied when slapgrid runs as root. */
export interface ResultOwner {
  uid: number;
  gid: number;
}

/** `2024-05-01T10:00:00+0000`, the date format of the original's result files (UTC). */
function resultDate(date: Date): string {
  return `${date.toISOString().slice(0, 19)}+0000`;
}

/** The JSON the original's promise launcher leaves per promise (spec node.md §6.2), for monitoring tools. */
export interface PromiseStatus {
  title: string;
  name: string;
  path: string;
  'execution-time': number;
  result: { type: 'Test Result'; failed: boolean; date: string; message: string };
}

function promiseStatus(result: PromiseResult, message: string): PromiseStatus {
  return {
    title: result.name.slice(0, result.name.length - extname(result.name).length) || result.name,
    name: result.name,
    path: result.path,
    'execution-time': result.executionTimeSeconds,
    result: { type: 'Test Result', failed: !result.ok, date: resultDate(result.date), message },
  };
}

async function ensureOwnedDirectory(path: string, owner: ResultOwner | undefined): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o750 });
  if (owner && process.getuid?.() === 0) await chown(path, owner.uid, owner.gid);
}

/**
 * Writes `<partition>/.slapgrid/promise/result/<title>.status.json` for each
 * result, atomically (a temporary file renamed over the old one).
 */
export async function writePromiseStatuses(partitionPath: string, entries: Array<{ result: PromiseResult; message: string }>, owner?: ResultOwner): Promise<void> {
  if (entries.length === 0) return;
  const slapgrid = join(partitionPath, '.slapgrid');
  const directory = join(slapgrid, 'promise', 'result');
  for (const path of [slapgrid, join(slapgrid, 'promise'), directory]) await ensureOwnedDirectory(path, owner);
  for (const { result, message } of entries) {
    const status = promiseStatus(result, message);
    const target = join(directory, `${status.title}.status.json`);
    const temporary = `${target}.tmp`;
    await writeFile(temporary, JSON.stringify(status));
    if (owner && process.getuid?.() === 0) await chown(temporary, owner.uid, owner.gid);
    await rename(temporary, target);
  }
}
