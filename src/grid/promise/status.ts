import { readFile } from 'node:fs/promises';
import { ensurePromiseStateDirectory, promiseStatePath, writeStateFile, type ResultOwner } from './state-directory.ts';

/** `2024-05-01T10:00:00+0000`, the date format of the original's result files (UTC). */
function resultDate(date: Date): string {
  return `${date.toISOString().slice(0, 19)}+0000`;
}

/** The mode a promise was checked in: `test` after a deployment, `anomaly` on an up-to-date partition. */
export type PromiseMode = 'test' | 'anomaly';

/** The JSON the original's promise launcher leaves per promise (spec node.md §6.2), for monitoring tools. */
export interface PromiseStatus {
  title: string;
  name: string;
  path: string;
  'execution-time': number;
  result: { type: 'Test Result' | 'Anomaly Result'; failed: boolean; date: string; message: string };
}

/** One promise's checked result, as stored. */
export interface PromiseVerdict {
  title: string;
  name: string;
  path: string;
  executionTimeSeconds: number;
  mode: PromiseMode;
  failed: boolean;
  date: Date;
  message: string;
}

/** `check-port.py` → `check-port`, the original's title of a promise. */
export function promiseTitle(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

function statusOf(verdict: PromiseVerdict): PromiseStatus {
  return {
    title: verdict.title,
    name: verdict.name,
    path: verdict.path,
    'execution-time': verdict.executionTimeSeconds,
    result: { type: verdict.mode === 'anomaly' ? 'Anomaly Result' : 'Test Result', failed: verdict.failed, date: resultDate(verdict.date), message: verdict.message },
  };
}

/** Writes `<partition>/.slapgrid/promise/result/<title>.status.json` for each verdict, atomically. */
export async function writePromiseStatuses(partitionPath: string, verdicts: readonly PromiseVerdict[], owner?: ResultOwner): Promise<void> {
  if (verdicts.length === 0) return;
  await ensurePromiseStateDirectory(partitionPath, 'result', owner);
  for (const verdict of verdicts) {
    await writeStateFile(promiseStatePath(partitionPath, 'result', `${verdict.title}.status.json`), JSON.stringify(statusOf(verdict)), owner);
  }
}

/** The last stored result of a promise: whether it failed and its message; undefined when none can be read. */
export async function readPromiseStatus(partitionPath: string, title: string): Promise<{ failed: boolean; message: string } | undefined> {
  const text = await readFile(promiseStatePath(partitionPath, 'result', `${title}.status.json`), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const status = JSON.parse(text) as { result?: { failed?: unknown; message?: unknown } };
    if (typeof status.result?.failed !== 'boolean') return undefined;
    return { failed: status.result.failed, message: typeof status.result.message === 'string' ? status.result.message : '' };
  } catch {
    return undefined;
  }
}
