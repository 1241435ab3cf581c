import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SupervisordError } from './errors.ts';
import { renderSupervisordConfig } from './config.ts';

/** Where the supervisord of one instance root keeps its files (spec node.md §3.1, §3.2). */
export interface SupervisordLayout {
  instanceRoot: string;
  configPath: string;
  includeDirectory: string;
  socketPath: string;
  logFile: string;
  pidFile: string;
}

/** The layout of `instanceRoot`; `[slapos] supervisord_socket` / `supervisord_configuration_path` override the defaults. */
export function supervisordLayout(instanceRoot: string, overrides: { socketPath?: string; configPath?: string } = {}): SupervisordLayout {
  return {
    instanceRoot,
    configPath: overrides.configPath ?? join(instanceRoot, 'etc', 'supervisord.conf'),
    includeDirectory: join(instanceRoot, 'etc', 'supervisord.conf.d'),
    socketPath: overrides.socketPath ?? join(instanceRoot, 'supervisord.socket'),
    logFile: join(instanceRoot, 'var', 'log', 'supervisord.log'),
    pidFile: join(instanceRoot, 'var', 'run', 'supervisord.pid'),
  };
}

/** Writes `content` with `mode` unless the file already holds exactly it; true when written. */
export async function updateFile(path: string, content: string, mode = 0o600): Promise<boolean> {
  const current = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (current === content) return false;
  await writeFile(path, content, { mode });
  await chmod(path, mode);
  return true;
}

/** Creates `path` if missing and makes it 0700; fails if it cannot be made private. */
async function privateDirectory(path: string): Promise<void> {
  await mkdir(path, { recursive: true });
  await chmod(path, 0o700);
  const mode = (await stat(path)).mode & 0o777;
  if (mode !== 0o700) throw new SupervisordError('GRID_ERR_SUPERVISORD_LAYOUT', `${path} must have mode 0700, it has 0${mode.toString(8)}`);
}

/**
 * Prepares the instance root's etc/ and var/ and (re)writes supervisord.conf
 * when its content changed (then resolves true). The instance root itself
 * must exist (made by `slapos node format`).
 */
export async function prepareSupervisordLayout(layout: SupervisordLayout, options: { watchdogCommand?: string } = {}): Promise<boolean> {
  const root = await stat(layout.instanceRoot).catch(() => undefined);
  if (!root?.isDirectory()) throw new SupervisordError('GRID_ERR_SUPERVISORD_LAYOUT', `${layout.instanceRoot} does not exist.`);
  const varDirectory = join(layout.instanceRoot, 'var');
  await mkdir(varDirectory, { recursive: true });
  await chmod(varDirectory, 0o755);
  for (const directory of [join(varDirectory, 'log'), join(varDirectory, 'run'), join(layout.instanceRoot, 'etc'), layout.includeDirectory]) {
    await privateDirectory(directory);
  }
  const config = renderSupervisordConfig({
    includeDirectory: layout.includeDirectory,
    socketPath: layout.socketPath,
    logFile: layout.logFile,
    pidFile: layout.pidFile,
    ...(options.watchdogCommand === undefined ? {} : { watchdogCommand: options.watchdogCommand }),
  });
  return updateFile(layout.configPath, config, 0o600);
}
