import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../log/index.ts';
import { runChild, type ChildResult, type ChildUser } from '../spawn.ts';

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
  logger: Logger;
}

export function validatePromiseRunOptions(options: PromiseRunOptions): void {
  if (!(options.timeoutSeconds > 0)) throw new TypeError(`promise timeoutSeconds must be positive, got ${options.timeoutSeconds}`);
  if (!(Number.isInteger(options.concurrency) && options.concurrency > 0)) {
    throw new TypeError(`promise concurrency must be a positive integer, got ${options.concurrency}`);
  }
}

/** Executable regular files of the promise directory, sorted; others are logged and skipped. */
export async function listPromises(directory: string, logger: Logger): Promise<string[]> {
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

async function runOne(name: string, options: PromiseRunOptions): Promise<PromiseResult> {
  const path = join(options.promiseDirectory, name);
  const started = Date.now();
  let run: ChildResult | undefined;
  let cannotRun = '';
  try {
    run = await runChild({
      command: path, args: [], cwd: options.partitionPath, env: options.env, ...(options.user ? { user: options.user } : {}),
      timeoutSeconds: options.timeoutSeconds, killGraceMs: KILL_GRACE_MS, tailSize: OUTPUT_LIMIT + 1,
    });
  } catch (error) {
    cannotRun = `cannot run promise: ${(error as Error).message}`;
  }
  const date = new Date();
  return {
    name, path, timedOut: run?.timedOut ?? false, exitCode: run?.exitCode ?? null, signal: run?.signal ?? null, date,
    ok: run?.ok ?? false,
    output: run ? keepEnd(run.outputTail) : cannotRun,
    executionTimeSeconds: (date.getTime() - started) / 1000,
  };
}

/**
 * Runs the named promises of the promise directory, at most `concurrency`
 * at a time, each killed (with its process group) at the timeout. Resolves
 * with all results in the order given; never throws for a failing promise.
 */
export async function runPromiseList(names: readonly string[], options: PromiseRunOptions): Promise<PromiseResult[]> {
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
