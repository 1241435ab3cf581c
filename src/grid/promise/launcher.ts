import { open } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger, LogLevel } from '../../log/index.ts';
import { LineSplitter, runChild, type ChildResult, type ChildUser } from '../spawn.ts';
import { PromiseError, PromiseLauncherError } from './errors.ts';
import type { PromiseMode } from './status.ts';

/**
 * Our own launcher script (python/promise-launcher.py), found from the
 * package root whether this module runs from src/ (tsx) or from dist/src/.
 */
const PROMISE_LAUNCHER_SCRIPT = fileURLToPath(new URL('../../../python/promise-launcher.py', import.meta.url.replace('/dist/src/', '/src/')));

/** Seconds added to the promises' own time limits before the whole launcher is killed (the original's margin). */
const LAUNCHER_MARGIN_SECONDS = 10;
/** Exit status of the launcher when a promise failed (its stderr is then the message). */
const PROMISE_FAILED_STATUS = 2;
/** Characters kept from the launcher's output and error message. */
const KEEP = 64 * 1024;
/** The start of a software release's bin/buildout: enough for a shebang and an exec line. */
const HEAD_BYTES = 4096;

/** The Python of a software release, or why there is none to run plugin promises with. */
export type InstancePython = { python: string } | { reason: string };

async function readHead(path: string): Promise<string | undefined> {
  let file;
  try {
    file = await open(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await file.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await file.close();
  }
}

/** The words of a shell line, quotes removed (enough of shlex.split for zc.buildout's `"exec" "/long/path/python" "$0" "$@"`). */
function shellWords(line: string): string[] {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)]
    .map(([, double, single, bare]) => double?.replace(/\\(.)/g, '$1') ?? single ?? bare ?? '');
}

/**
 * The interpreter named by the software release's `bin/buildout` shebang,
 * as the original finds it: the first word after `#!`, or, for a
 * `#!/bin/sh` wrapper around a too long shebang, the word after `exec` on
 * the next line. Only a Python (its file name starts with `python`) will do.
 */
export async function instancePython(softwarePath: string): Promise<InstancePython> {
  const path = join(softwarePath, 'bin', 'buildout');
  const head = await readHead(path);
  if (head === undefined) return { reason: `${path} cannot be read` };
  const [first = '', second = ''] = head.split('\n');
  if (!first.startsWith('#!')) return { reason: `${path} has no shebang` };
  let interpreter = first.slice(2).trim().split(/\s+/)[0] ?? '';
  if (interpreter === '/bin/sh') {
    const words = shellWords(second);
    if (words.length >= 2 && words[0] === 'exec') interpreter = words[1]!;
  }
  if (!basename(interpreter).startsWith('python')) return { reason: `the shebang of ${path} names ${interpreter || 'nothing'}, not a Python` };
  return { python: interpreter };
}

export interface PythonLauncherOptions {
  /** The software release's Python (see instancePython). */
  python: string;
  partitionPath: string;
  partitionId: string;
  computerId: string;
  masterUrl: string;
  /** The partition's certificate and key files; empty when none is kept. */
  certFile: string;
  keyFile: string;
  /** Seconds each promise may run. */
  promiseTimeoutSeconds: number;
  /** Plugin and legacy promises together: the launcher's time limit is this many promise timeouts, plus a margin. */
  promiseCount: number;
  /** `test`: every promise runs now (`--force`); `anomaly`: `--check-anomaly`, promises not yet due are not rerun. */
  mode: PromiseMode;
  /** The launcher's complete environment. */
  env: NodeJS.ProcessEnv;
  /** The partition user, dropped to when slapgrid runs as root. */
  user?: ChildUser;
  logger: Logger;
}

function launcherArguments(options: PythonLauncherOptions): string[] {
  const partition = options.partitionPath;
  return [
    PROMISE_LAUNCHER_SCRIPT,
    '--promise-folder', join(partition, 'etc', 'plugin'),
    '--legacy-promise-folder', join(partition, 'etc', 'promise'),
    '--promise-timeout', String(options.promiseTimeoutSeconds),
    '--partition-folder', partition,
    '--log-folder', join(partition, '.slapgrid', 'promise', 'log'),
    options.mode === 'test' ? '--force' : '--check-anomaly',
    '--master-url', options.masterUrl,
    '--partition-cert', options.certFile,
    '--partition-key', options.keyFile,
    '--partition-id', options.partitionId,
    '--computer-id', options.computerId,
  ];
}

const LAUNCHER_LEVELS: Readonly<Record<string, LogLevel>> = { DEBUG: 'debug', INFO: 'info', WARNING: 'warn', ERROR: 'error', CRITICAL: 'error' };

/** Logs a line of the launcher's log (`LEVEL message`; lines of a traceback have no level) at its level. */
function logLauncherLine(logger: Logger, line: string): void {
  const match = /^([A-Z]+) (.*)$/.exec(line);
  const level = match ? LAUNCHER_LEVELS[match[1]!] : undefined;
  logger.log(level ?? 'info', level ? match![2]! : line, { stream: 'promise' });
}

/** The promise names in the original's failure message (`Promise 'name' failed with output: …`). */
function failedNames(message: string): string[] {
  return [...message.matchAll(/^Promise '([^'\n]+)' failed/gm)].map((match) => match[1]!);
}

/**
 * Runs every promise of the partition (plugin and legacy) through slapos.core's
 * own launcher, under the software release's Python and as the partition
 * user, in the partition directory. Its log goes to `logger`. Throws
 * GRID_ERR_PROMISE_FAILED when a promise failed (message from the
 * launcher) and GRID_ERR_PROMISE_LAUNCHER when the launcher itself failed or
 * ran past its time limit (its process group is then killed).
 */
export async function runPythonLauncher(options: PythonLauncherOptions): Promise<void> {
  if (!(Number.isInteger(options.promiseTimeoutSeconds) && options.promiseTimeoutSeconds > 0)) {
    throw new TypeError(`runPythonLauncher: promiseTimeoutSeconds must be a positive integer, got ${options.promiseTimeoutSeconds}`);
  }
  const { logger } = options;
  const timeoutSeconds = options.promiseCount * options.promiseTimeoutSeconds + LAUNCHER_MARGIN_SECONDS;
  // runChild joins stderr to stdout; the inner shell gives the launcher's
  // stderr back a pipe of its own (descriptor 3 here), which carries nothing
  // but the failure message.
  logger.info('Running the promises with the software release\'s Python', { partition: options.partitionId, python: options.python });
  const lines = new LineSplitter((line) => logLauncherLine(logger, line));
  let run: ChildResult;
  try {
    run = await runChild({
      command: '/bin/sh', args: ['-c', 'exec "$@" 2>&3 3>&-', 'promise-launcher', options.python, ...launcherArguments(options)],
      cwd: options.partitionPath, env: options.env, ...(options.user ? { user: options.user } : {}),
      timeoutSeconds, tailSize: KEEP, channel: true, onOutput: (chunk) => lines.push(chunk),
    });
  } catch (error) {
    throw new PromiseLauncherError('GRID_ERR_PROMISE_LAUNCHER', `cannot run the promise launcher: ${(error as Error).message}`, { cause: error });
  } finally {
    lines.end();
  }
  const message = run.channel.trim();
  if (run.timedOut) {
    throw new PromiseLauncherError('GRID_ERR_PROMISE_LAUNCHER', `The promises of ${options.partitionId} did not finish within ${timeoutSeconds} seconds `
      + `(${options.promiseCount} promise(s) × ${options.promiseTimeoutSeconds} s + ${LAUNCHER_MARGIN_SECONDS} s): the promise launcher was killed`);
  }
  if (run.exitCode === PROMISE_FAILED_STATUS) throw new PromiseError(message || 'A promise failed (no message).', failedNames(message));
  if (run.exitCode !== 0) {
    const reason = message || run.outputTail.trim().split('\n').slice(-5).join('\n') || 'no output';
    throw new PromiseLauncherError('GRID_ERR_PROMISE_LAUNCHER', `The promise launcher (${options.python}) failed `
      + `(${run.exitCode === null ? `signal ${run.signal}` : `exit status ${run.exitCode}`}): ${reason}`);
  }
  if (message !== '') logger.warn('Unexpected promise launcher error output', { output: message });
}
