import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../log/index.ts';
import { hasCode } from '../../errors/index.ts';
import { SupervisordClient } from './client.ts';
import { SupervisordError } from './errors.ts';
import type { SupervisordLayout } from './layout.ts';

const RUNNING = 1;
/** Pauses between getState polls after launching; supervisord daemonizes then binds its socket. */
const POLL_DELAYS_MS = [100, 250, 500, 1000, 2000, 4000];

/** The absolute path of `name` found in `searchPath` (a PATH value), or undefined. */
export async function findExecutable(name: string, searchPath: string | undefined): Promise<string | undefined> {
  if (isAbsolute(name)) return (await isExecutable(name)) ? name : undefined;
  for (const directory of (searchPath ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(directory, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(() => true, () => false);
}

/** How often a supervisord that is shutting down is asked again before a new one is started. */
const SHUTDOWN_CHECKS = 5;

/** Whether a supervisord answers RUNNING; one that is shutting down is given time to finish first. */
async function isRunning(client: SupervisordClient, logger: Logger): Promise<boolean> {
  for (let check = 1; ; check++) {
    try {
      const state = await client.getState();
      if (state.statecode === RUNNING) return true;
      logger.warn('supervisord is in an unexpected state', { state: state.statename });
      return false;
    } catch (error) {
      if (hasCode(error, 'GRID_ERR_SUPERVISORD_UNREACHABLE')) return false;
      if (!hasCode(error, 'GRID_ERR_SUPERVISORD_SHUTTING_DOWN')) throw error;
      if (check >= SHUTDOWN_CHECKS) return false;
      logger.info('supervisord is shutting down, checking again later');
      await sleep(500 * check);
    }
  }
}

function runLauncher(binary: string, configPath: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // An empty environment, as the original: services must not inherit slapgrid's.
    const child = spawn(binary, ['-c', configPath], { env: {}, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

export interface EnsureSupervisordOptions {
  logger: Logger;
  /** Name or path of the supervisord executable; default `supervisord` found in `searchPath`. */
  supervisordBinary?: string;
  /** PATH used to find it; default this process's PATH. */
  searchPath?: string;
  /** `[slapos] forbid_supervisord_automatic_launch`: report a stopped supervisord instead of starting one. */
  forbidLaunch?: boolean;
}

/** A client of the running supervisord; `launched` when it had to be started (its programs are all stopped then). */
export interface RunningSupervisord {
  client: SupervisordClient;
  launched: boolean;
}

/**
 * Makes sure the supervisord of `layout` answers: asks it for its state and
 * starts one (daemonized, empty environment) when nobody answers on the socket.
 */
export async function ensureSupervisord(layout: SupervisordLayout, options: EnsureSupervisordOptions): Promise<RunningSupervisord> {
  const { logger } = options;
  const client = new SupervisordClient({ socketPath: layout.socketPath });
  if (await isRunning(client, logger)) {
    logger.debug('supervisord already running', { socket: layout.socketPath });
    return { client, launched: false };
  }
  if (options.forbidLaunch) {
    throw new SupervisordError('GRID_ERR_SUPERVISORD_UNREACHABLE', `supervisord is not running on ${layout.socketPath} and forbid_supervisord_automatic_launch is set`);
  }
  const name = options.supervisordBinary ?? 'supervisord';
  const binary = await findExecutable(name, options.searchPath ?? process.env.PATH);
  if (!binary) {
    throw new SupervisordError('GRID_ERR_SUPERVISORD_LAUNCH', `cannot start supervisord: ${name} not found (install the Debian package "supervisor")`);
  }
  logger.info('launching supervisord', { config: layout.configPath });
  const launched = await runLauncher(binary, layout.configPath);
  if (launched.code !== 0) {
    throw new SupervisordError('GRID_ERR_SUPERVISORD_LAUNCH', `failed to launch supervisord (exit ${launched.code}):\n${launched.output.trim()}`);
  }
  for (const delay of POLL_DELAYS_MS) {
    if (await isRunning(client, logger)) {
      logger.info('supervisord started', { socket: layout.socketPath });
      return { client, launched: true };
    }
    await sleep(delay);
  }
  throw new SupervisordError('GRID_ERR_SUPERVISORD_LAUNCH', `supervisord was launched but does not answer on ${layout.socketPath}; see ${layout.logFile}`);
}
