import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { checkPromises } from '../promise/index.ts';
import { cleanEnvironment } from '../spawn.ts';
import type { PartitionContext, PromisePhase } from './phases.ts';

export interface PartitionPromisesOptions {
  /** Seconds each promise may run (`--promise-timeout`). */
  timeoutSeconds: number;
  /** Promises of one partition running at once. */
  concurrency: number;
  baseEnv: NodeJS.ProcessEnv;
}

/** `<partition>/etc/plugin/*.py` except `__init__*`: the 1.x plugin promises. */
async function pluginPromises(partitionPath: string): Promise<string[]> {
  const names = await readdir(join(partitionPath, 'etc', 'plugin')).catch(() => [] as string[]);
  return names.filter((name) => name.endsWith('.py') && !name.startsWith('__init__')).sort();
}

/** The executables of `<partition>/etc/promise`, run as the partition user. */
export class PartitionPromises implements PromisePhase {
  constructor(private readonly options: PartitionPromisesOptions) {}

  async check(context: PartitionContext): Promise<void> {
    const plugins = await pluginPromises(context.path);
    if (plugins.length > 0) {
      // 1.x plugin promises are Python classes run by slapos.core's own launcher; they are not run here.
      context.logger.warn('Python plugin promises are not run by slapos.ts', { partition: context.id, promises: plugins });
    }
    await checkPromises({
      promiseDirectory: join(context.path, 'etc', 'promise'),
      partitionPath: context.path,
      timeoutSeconds: this.options.timeoutSeconds,
      concurrency: this.options.concurrency,
      env: cleanEnvironment(this.options.baseEnv, context.path),
      user: { uid: context.account.uid, gid: context.account.gid, name: context.account.name },
      writeStatus: true,
      logger: context.logger,
    });
  }
}
