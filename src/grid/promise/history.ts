import { appendFile, open } from 'node:fs/promises';
import { randomInt } from 'node:crypto';
import { ensurePromiseStateDirectory, ownStateFile, promiseStatePath, type ResultOwner } from './state-directory.ts';

/**
 * `<partition>/.slapgrid/promise/log/<title>.log`, the original's promise
 * log (spec node.md §6.2): one transaction per run, lines
 * `YYYY-mm-dd HH:MM:SS - LEVEL - <unixtime>-<3 digits> - message`. Monitoring
 * tools read it, and the anomaly check counts the failed runs in it.
 */

/** The line format of the original (message lines that do not match continue the previous one). */
const LOG_LINE = /^(\d{4}-\d{2}-\d{2}\s+\d{2}:\d{2}:\d{2})\s+-?\s*(\w+)\s+-?\s+(\d+-\d{3})\s+-?\s*(.*)$/;
const FAILURE_LEVELS = new Set(['ERROR', 'CRITICAL']);
/** Enough of the end of a log for a few runs (each message is at most ~5000 characters). */
const TAIL_BYTES = 64 * 1024;

const pad = (value: number): string => String(value).padStart(2, '0');

/** Local time, as Python's logging asctime with `%Y-%m-%d %H:%M:%S`. */
function logDate(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

function logPath(partitionPath: string, title: string): string {
  return promiseStatePath(partitionPath, 'log', `${title}.log`);
}

/** Appends one run of the promise: its output, at ERROR when it failed, else INFO. */
export async function appendPromiseRun(partitionPath: string, title: string, run: { failed: boolean; output: string; date: Date }, owner?: ResultOwner): Promise<void> {
  const transaction = `${Math.floor(run.date.getTime() / 1000)}-${randomInt(100, 1000)}`;
  const line = `${logDate(run.date)} - ${run.failed ? 'ERROR' : 'INFO'} - ${transaction} - ${run.output.trim()}\n`;
  await ensurePromiseStateDirectory(partitionPath, 'log', owner);
  const path = logPath(partitionPath, title);
  await appendFile(path, line);
  await ownStateFile(path, owner);
}

async function readTail(path: string): Promise<string> {
  let file;
  try {
    file = await open(path, 'r');
  } catch {
    return '';
  }
  try {
    const { size } = await file.stat();
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    await file.read(buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    await file.close();
  }
}

/** Whether each of the last `count` runs in the promise's log failed, newest first (fewer when the log holds fewer). */
export async function recentPromiseRuns(partitionPath: string, title: string, count: number): Promise<boolean[]> {
  const lines = (await readTail(logPath(partitionPath, title))).split('\n');
  const runs: boolean[] = [];
  let transaction: string | undefined;
  for (let index = lines.length - 1; index >= 0; index--) {
    const match = LOG_LINE.exec(lines[index]!);
    if (match === null) continue;
    const [, , level, id] = match;
    if (id !== transaction) {
      if (runs.length === count) break;
      transaction = id;
      runs.push(false);
    }
    if (FAILURE_LEVELS.has(level!)) runs[runs.length - 1] = true;
  }
  return runs;
}
