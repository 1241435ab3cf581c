import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { checkPromises, instancePython, pluginPromises, runPythonLauncher, type PromiseMode } from '../promise/index.ts';
import type { NodeConfig } from '../node-config.ts';
import { cleanEnvironment } from '../spawn.ts';
import { partitionCertificatePaths } from './certificate.ts';
import type { PartitionContext, PromisePhase } from './phases.ts';

/** Legacy promises of one partition running at once, by default. */
const DEFAULT_PROMISE_CONCURRENCY = 4;

export interface PartitionPromisesOptions {
  /** Seconds each promise may run (`--promise-timeout`). */
  timeoutSeconds: number;
  /** Legacy promises of one partition running at once (when slapgrid runs them itself). */
  concurrency: number;
  baseEnv: NodeJS.ProcessEnv;
  /** Passed to the Python launcher, for plugin promises that bang. */
  computerId: string;
  masterUrl: string;
  /** Where `<partition>.key/.crt` are kept; the launcher gets empty paths without it. */
  certificateRepositoryPath?: string;
}

/**
 * A partition's promises (spec node.md §6). Plugin promises (Python classes
 * in `etc/plugin`) can only be run by slapos.core's launcher: when there are
 * some and the software release has a Python, that launcher runs every
 * promise, legacy ones included. Otherwise slapgrid runs the legacy
 * executables of `etc/promise` itself. Either way as the partition user.
 */
export class PartitionPromises implements PromisePhase {
  constructor(private readonly options: PartitionPromisesOptions) {}

  /** The promise phase of a node run with this configuration. */
  static forNode(config: NodeConfig, baseEnv: NodeJS.ProcessEnv, concurrency = DEFAULT_PROMISE_CONCURRENCY): PartitionPromises {
    return new PartitionPromises({
      timeoutSeconds: config.promiseTimeout,
      concurrency,
      baseEnv,
      computerId: config.computerId,
      masterUrl: config.masterUrl,
      ...(config.certificateRepositoryPath === undefined ? {} : { certificateRepositoryPath: config.certificateRepositoryPath }),
    });
  }

  async check(context: PartitionContext, mode: PromiseMode): Promise<void> {
    const plugins = await pluginPromises(join(context.path, 'etc', 'plugin'), context.logger);
    if (plugins.length > 0) {
      const interpreter = await instancePython(context.softwarePath);
      if ('python' in interpreter) {
        await this.delegate(context, mode, interpreter.python, plugins.length);
        return;
      }
      context.logger.warn(`Plugin promises not run: ${interpreter.reason} (slapos.core's launcher runs them under the software release's Python)`,
        { partition: context.id, promises: plugins });
    }
    await checkPromises({
      promiseDirectory: join(context.path, 'etc', 'promise'),
      partitionPath: context.path,
      timeoutSeconds: this.options.timeoutSeconds,
      concurrency: this.options.concurrency,
      env: cleanEnvironment(this.options.baseEnv, context.path),
      user: context.account,
      logger: context.logger,
      mode,
      force: mode === 'test',
    });
  }

  private async delegate(context: PartitionContext, mode: PromiseMode, python: string, pluginCount: number): Promise<void> {
    const repository = this.options.certificateRepositoryPath;
    const certificate = repository === undefined ? { keyFile: '', certFile: '' } : partitionCertificatePaths(repository, context.id);
    // The original counts every entry of etc/promise towards the time limit.
    const legacyCount = (await readdir(join(context.path, 'etc', 'promise')).catch(() => [])).length;
    await runPythonLauncher({
      python,
      partitionPath: context.path,
      partitionId: context.id,
      computerId: this.options.computerId,
      masterUrl: this.options.masterUrl,
      certFile: certificate.certFile,
      keyFile: certificate.keyFile,
      promiseTimeoutSeconds: this.options.timeoutSeconds,
      promiseCount: pluginCount + legacyCount,
      mode,
      env: cleanEnvironment(this.options.baseEnv, context.account.home),
      user: context.account,
      logger: context.logger,
    });
  }
}
