import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../log/index.ts';
import { childArgv, type ChildUser } from '../spawn.ts';
import { PromiseError } from './errors.ts';
import { writePromiseStatuses } from './status.ts';

/** Output kept per promise for the report to the master, as the original (last 5000 characters). */
const OUTPUT_LIMIT = 5000;
/** After SIGTERM at the timeout, the promise's process group gets this long before SIGKILL. */
const KILL_GRACE_MS = 1000;

/** How one promise ended. */
export interface PromiseResult {
  name: string;
  path: string;
  ok: boolean;
  timedOut: boolean;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The end of its combined stdout and stderr. */
  output: string;
  executionTimeSeconds: number;
  /** When it ended. */
  date: Date;
}

export interface PromiseRunOptions {
  /** `<partition>/etc/promise`. A missing directory means no promise. */
  promiseDirectory: string;
  /** Working directory of each promise (the partition directory). */
  partitionPath: string;
  /** Seconds a promise may run before it is killed with its whole process group. */
  timeoutSeconds: number;
  /** How many promises run at once. */
  concurrency: number;
  /** Complete environment of each promise. */
  env: NodeJS.ProcessEnv;
  /** The partition user, dropped to when slapgrid runs as root. */
  user?: ChildUser;
  /** Leave `.slapgrid/promise/result/<title>.status.json` in the partition, as the original's launcher. */
  writeStatus?: boolean;
  logger: Logger;
}

function validate(options: PromiseRunOptions): void {
  if (!(options.timeoutSeconds > 0)) throw new TypeError(`promise timeoutSeconds must be positive, got ${options.timeoutSeconds}`);
  if (!(Number.isInteger(options.concurrency) && options.concurrency > 0)) {
    throw new TypeError(`promise concurrency must be a positive integer, got ${options.concurrency}`);
  }
}

/** Executable regular files of the promise directory, sorted; others are logged and skipped. */
async function listPromises(directory: string, logger: Logger): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(directory)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const promises: string[] = [];
  for (const name of names) {
    const info = await stat(join(directory, name)).catch(() => undefined);
    if (info?.isFile() && (info.mode & 0o111) !== 0) promises.push(name);
    else logger.warn('Bad promise file: not an executable file', { promise: name });
  }
  return promises;
}

function keepEnd(text: string): string {
  return text.length > OUTPUT_LIMIT ? `...${text.slice(-OUTPUT_LIMIT)}` : text;
}

/** Kills the promise's whole process group (it leads one: spawned detached). */
function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function runOne(name: string, options: PromiseRunOptions): Promise<PromiseResult> {
  const path = join(options.promiseDirectory, name);
  const started = Date.now();
  const [command, ...args] = childArgv({ command: path, args: [], ...(options.user ? { user: options.user } : {}) }, process.getuid?.() === 0);
  return new Promise((resolve) => {
    // detached: the promise leads its own process group, so a timeout kills
    // whatever it started too (and nothing keeps its pipes open afterwards).
    const child = spawn(command!, args, { cwd: options.partitionPath, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    let timedOut = false;
    let settled = false;
    const collect = (chunk: string): void => { output = keepEnd(output + chunk); };
    child.stdout.setEncoding('utf8').on('data', collect);
    child.stderr.setEncoding('utf8').on('data', collect);
    const finish = (result: Pick<PromiseResult, 'ok' | 'exitCode' | 'signal'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(killer);
      const date = new Date();
      resolve({ name, path, timedOut, output, executionTimeSeconds: (date.getTime() - started) / 1000, date, ...result });
    };
    let killer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGTERM');
      killer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
    }, options.timeoutSeconds * 1000);
    child.on('error', (error) => {
      output = `cannot run promise: ${error.message}`;
      finish({ ok: false, exitCode: null, signal: null });
    });
    child.on('exit', (exitCode, signal) => {
      // A killed promise may have left a descendant in another session holding
      // its pipes: do not wait for them to close.
      if (!timedOut) return;
      child.stdout.destroy();
      child.stderr.destroy();
      finish({ ok: false, exitCode, signal });
    });
    child.on('close', (exitCode, signal) => {
      finish({ ok: exitCode === 0 && !timedOut, exitCode, signal });
    });
  });
}

/**
 * Runs every executable of the promise directory, at most `concurrency` at a
 * time, each killed (with its process group) at the timeout. Resolves with all
 * results in name order; never throws for a failing promise.
 */
export async function runPromises(options: PromiseRunOptions): Promise<PromiseResult[]> {
  validate(options);
  const names = await listPromises(options.promiseDirectory, options.logger);
  if (names.length === 0) {
    options.logger.debug('No promise.', { directory: options.promiseDirectory });
    return [];
  }
  const results: PromiseResult[] = new Array<PromiseResult>(names.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < names.length) {
      const index = next++;
      const result = await runOne(names[index]!, options);
      options.logger.log(result.ok ? 'info' : 'error', result.ok ? 'promise passed' : 'promise failed', { promise: result.name });
      results[index] = result;
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, names.length) }, worker));
  return results;
}

/** The message the original gives a promise's result. */
function describeResult(result: PromiseResult, timeoutSeconds: number): string {
  if (result.timedOut) return `Promise '${result.name}' timed out after ${timeoutSeconds} seconds`;
  if (result.ok) return result.output.trim();
  return `Promise '${result.name}' failed with output: ${result.output.trim() || 'No error output.'}`;
}

/**
 * Runs the promises, leaves their status files if asked, and throws
 * GRID_ERR_PROMISE_FAILED naming every one that failed.
 */
export async function checkPromises(options: PromiseRunOptions): Promise<PromiseResult[]> {
  const results = await runPromises(options);
  if (options.writeStatus) {
    await writePromiseStatuses(options.partitionPath, results.map((result) => ({ result, message: describeResult(result, options.timeoutSeconds) })), options.user);
  }
  const failed = results.filter((result) => !result.ok);
  if (failed.length > 0) {
    throw new PromiseError(failed.map((result) => describeResult(result, options.timeoutSeconds)).join('\n'), failed.map((r) => r.name));
  }
  return results;
}
