import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../log/index.ts';

/** After SIGTERM, leftovers get this long before SIGKILL. */
const TERM_GRACE_MS = 2000;
const POLL_MS = 50;

function inside(path: string | undefined, directory: string): boolean {
  return path !== undefined && (path === directory || path.startsWith(`${directory}/`));
}

/**
 * Processes still living in a partition once its supervisord group is gone
 * (a service that daemonized, a forgotten background job): those of the
 * partition user whose working directory or executable is inside the
 * partition directory. Processes of other users (an operator's shell
 * sitting in the directory) and of root are never counted. Read from /proc;
 * processes this user may not inspect are not seen.
 */
export async function findPartitionProcesses(partitionPath: string, uid: number): Promise<number[]> {
  if (uid === 0) return [];
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid || (await stat(`/proc/${pid}`).catch(() => undefined))?.uid !== uid) continue;
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined);
    const exe = await readlink(`/proc/${pid}/exe`).catch(() => undefined);
    if (inside(cwd, partitionPath) || inside(exe, partitionPath)) found.push(pid);
  }
  return found;
}

/** Whether the process still runs (a zombie waiting for its parent does not). */
async function running(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  // The state follows the command name, which is in parentheses and may hold anything.
  return stat !== undefined && !/\)\s+[ZX]/.test(stat.slice(stat.lastIndexOf(')')));
}

async function stillRunning(pids: number[]): Promise<number[]> {
  const alive: number[] = [];
  for (const pid of pids) if (await running(pid)) alive.push(pid);
  return alive;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/**
 * Ends every process left in the partition, so that emptying it removes the
 * old instance for good: SIGTERM, then SIGKILL for those still there after a
 * grace period. Returns the pids that were found.
 */
export async function endPartitionProcesses(partitionPath: string, uid: number, logger: Logger): Promise<number[]> {
  const pids = await findPartitionProcesses(partitionPath, uid);
  if (pids.length === 0) return pids;
  logger.warn('Processes left in the partition after its services stopped, ending them', { path: partitionPath, pids });
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + TERM_GRACE_MS;
  while ((await stillRunning(pids)).length > 0 && Date.now() < deadline) await sleep(POLL_MS);
  for (const pid of await stillRunning(pids)) signal(pid, 'SIGKILL');
  return pids;
}
