import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { readFile } from 'node:fs/promises';
import { SlapOSError } from '../errors/index.ts';
import { NodeErrorCode } from './errors.ts';

export const GRID_ERR_UNSAFE_USER = NodeErrorCode.UNSAFE_USER;
export const GRID_ERR_SPAWN = NodeErrorCode.SPAWN;
export const GRID_ERR_UNKNOWN_USER = NodeErrorCode.UNKNOWN_USER;

/** The identity a child runs as when slapgrid is root. */
export interface ChildUser {
  uid: number;
  gid: number;
  name?: string;
}

export interface ChildOptions {
  command: string;
  args: string[];
  cwd: string;
  /** The complete environment of the child; nothing is inherited implicitly. */
  env: NodeJS.ProcessEnv;
  /** Dropped to when this process is root; ignored otherwise, as in the original. */
  user?: ChildUser;
  /** umask of the child only; this process's umask is never touched. */
  umask?: number;
  /** Each chunk of combined stdout+stderr, as it arrives. */
  onOutput?: (chunk: string) => void;
  /** Each complete line of combined output (the last one even without newline). */
  onLine?: (line: string) => void;
  /** How many characters of the end of the output to keep (default 64 KiB). */
  tailSize?: number;
  /** Aborting stops the child's whole process group (SIGTERM). */
  signal?: AbortSignal;
  /**
   * Past this many seconds the child's whole process group is stopped and
   * the result says `timedOut`.
   */
  timeoutSeconds?: number;
  /**
   * At the timeout: 0 (the default) kills the group at once (SIGKILL: a run
   * over its time limit gets no chance to linger, as in the original);
   * otherwise SIGTERM, then SIGKILL this many milliseconds later.
   */
  killGraceMs?: number;
  /**
   * Also open descriptor 3 of the child as a pipe, returned as `channel`: a
   * way to get one stream apart from the merged output (a launcher's error
   * message on its stderr, redirected there by the caller).
   */
  channel?: boolean;
}

export interface ChildResult {
  ok: boolean;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The end of the combined output. */
  outputTail: string;
  /** It was killed for running past `timeoutSeconds`. */
  timedOut: boolean;
  /** The end of what arrived on descriptor 3 (with `channel`; empty otherwise). */
  channel: string;
}

const DEFAULT_TAIL_SIZE = 64 * 1024;
const SETPRIV = '/usr/bin/setpriv';
const SHELL = '/bin/sh';

/** Variables the original removes from a child's environment (§3.3 of the node spec). */
const REMOVED_VARIABLES = [
  'PYTHONHOME', 'PYTHONPATH', 'PYTHONSTARTUP', 'PYTHONY2K', 'PYTHONOPTIMIZE', 'PYTHONDEBUG',
  'PYTHONDONTWRITEBYTECODE', 'PYTHONINSPECT', 'PYTHONUNBUFFERED', 'PYTHONVERBOSE', 'PYTHONNOUSERSITE',
  'ENV', 'LOGNAME', 'TEMP', 'TMP', 'TMPDIR', 'USER',
  'LANG', 'LANGUAGE', 'LC_ADDRESS', 'LC_ALL', 'LC_COLLATE', 'LC_CTYPE', 'LC_IDENTIFICATION', 'LC_MEASUREMENT',
  'LC_MESSAGES', 'LC_MONETARY', 'LC_NAME', 'LC_NUMERIC', 'LC_PAPER', 'LC_SOURCED', 'LC_TELEPHONE', 'LC_TIME',
];

/**
 * The "clean environment" of the original (0.32): the given environment minus
 * Python, temp-dir, locale and identity variables, with HOME set to `home`.
 * Returns a new object; `base` is not modified.
 */
export function cleanEnvironment(base: NodeJS.ProcessEnv, home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const name of REMOVED_VARIABLES) delete env[name];
  env.HOME = home;
  return env;
}

/**
 * The argv that runs `command args` with stderr joined to stdout at the file
 * descriptor level (one ordered stream, as the original's stderr=STDOUT), the
 * requested umask and, when this process is root, under `user` with its
 * supplementary groups (setpriv --init-groups, like the original's
 * initgroups/setgid/setuid). A pure function, so the privilege decision is
 * testable without being root.
 */
export function childArgv(options: Pick<ChildOptions, 'command' | 'args' | 'user' | 'umask'>, runningAsRoot: boolean): string[] {
  const umask = options.umask === undefined ? '' : `umask ${options.umask.toString(8).padStart(4, '0')} && `;
  // "$@" keeps every argument intact: nothing is interpolated into the script
  let argv = [SHELL, '-c', `${umask}exec "$@" 2>&1`, 'slapos-child', options.command, ...options.args];
  if (runningAsRoot && options.user) {
    const { uid, gid } = options.user;
    if (uid === 0 || gid === 0) {
      throw new SlapOSError(GRID_ERR_UNSAFE_USER, `Dropping privileges to uid = ${uid} or gid = ${gid} is too dangerous`);
    }
    const groups = options.user.name ? ['--init-groups'] : ['--clear-groups'];
    argv = [SETPRIV, `--reuid=${uid}`, `--regid=${gid}`, ...groups, '--', ...argv];
  }
  return argv;
}

/**
 * Runs a child process with an explicit environment, stdin closed, stdout and
 * stderr merged and streamed, and the end of the output kept for error
 * reports. Resolves when the child exits (a non-zero exit is not an error);
 * rejects with GRID_ERR_SPAWN only when it cannot start.
 */
export function runChild(options: ChildOptions): Promise<ChildResult> {
  const runningAsRoot = process.getuid?.() === 0;
  const [command, ...args] = childArgv(options, runningAsRoot);
  const tailSize = options.tailSize ?? DEFAULT_TAIL_SIZE;
  return new Promise((resolve, reject) => {
    // its own process group, so that an abort or a timeout stops everything
    // it started (a recipe's shell and its children), not only the direct child
    const child = spawn(command!, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: options.channel ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const signalGroup = (signal: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // the group is already gone
      }
    };
    const stopGroup = (): void => signalGroup('SIGTERM');
    if (options.signal?.aborted) stopGroup();
    options.signal?.addEventListener('abort', stopGroup, { once: true });
    let timedOut = false;
    let killer: NodeJS.Timeout | undefined;
    const grace = options.killGraceMs ?? 0;
    const timer = options.timeoutSeconds === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      if (grace <= 0) {
        signalGroup('SIGKILL');
        return;
      }
      signalGroup('SIGTERM');
      killer = setTimeout(() => signalGroup('SIGKILL'), grace);
    }, options.timeoutSeconds * 1000);
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      clearTimeout(killer);
      options.signal?.removeEventListener('abort', stopGroup);
      return true;
    };
    let tail = '';
    let channel = '';
    const lines = options.onLine ? new LineSplitter(options.onLine) : undefined;
    const take = (chunk: string): void => {
      tail = (tail + chunk).slice(-tailSize);
      options.onOutput?.(chunk);
      lines?.push(chunk);
    };
    child.stdout?.setEncoding('utf8').on('data', take);
    child.stderr?.setEncoding('utf8').on('data', take);
    const extra = child.stdio[3];
    if (extra != null && 'setEncoding' in extra) {
      extra.setEncoding('utf8').on('data', (chunk: string) => { channel = (channel + chunk).slice(-tailSize); });
    }
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null): void => {
      if (!settle()) return;
      lines?.end();
      resolve({ ok: exitCode === 0 && !timedOut, exitCode, signal, outputTail: tail, timedOut, channel });
    };
    child.on('error', (error) => {
      if (!settle()) return;
      reject(new SlapOSError(GRID_ERR_SPAWN, `cannot run ${options.command}: ${error.message}`, { cause: error }));
    });
    child.on('exit', (exitCode, signal) => {
      // A child killed at its timeout may have left a descendant in another
      // session holding its pipes: do not wait for them to close.
      if (!timedOut) return;
      for (const stream of [child.stdout, child.stderr, extra]) stream?.destroy();
      finish(exitCode, signal);
    });
    child.on('close', finish);
  });
}

/** Turns a stream of text chunks into complete lines (the last one flushed by `end()`). */
export class LineSplitter {
  private partial = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.onLine(line);
  }

  end(): void {
    if (this.partial !== '') this.onLine(this.partial);
    this.partial = '';
  }
}

/** A passwd entry, as slapgrid needs it to run a child as a directory's owner. */
export interface UserEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** Looks a uid up through NSS (getent), so LDAP/sssd users work like in the original's pwd module. */
export async function lookupUser(uid: number): Promise<UserEntry> {
  // Local accounts first: a no-op `node instance` looks up every partition's
  // user, and a getent child per partition is most of that pass's time.
  const local = await readFile('/etc/passwd', 'utf8').then((text) => findPasswdEntry(text, uid), () => undefined);
  if (local !== undefined) return local;
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)('getent', ['passwd', String(uid)], { encoding: 'utf8' }));
  } catch (error) {
    throw new SlapOSError(GRID_ERR_UNKNOWN_USER, `no user with uid ${uid}`, { cause: error });
  }
  const entry = findPasswdEntry(stdout, uid);
  if (entry === undefined) throw new SlapOSError(GRID_ERR_UNKNOWN_USER, `malformed passwd entry for uid ${uid}`);
  return entry;
}

/** The entry of `uid` in passwd(5) text, if one is there. */
function findPasswdEntry(text: string, uid: number): UserEntry | undefined {
  for (const line of text.split('\n')) {
    const fields = line.trim().split(':');
    if (fields.length >= 7 && fields[2] === String(uid)) {
      return { name: fields[0]!, uid, gid: Number(fields[3]), home: fields[5]! };
    }
  }
  return undefined;
}
