import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../log/index.ts';

const exists = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);

/**
 * The 1.x plugin promises of `<partition>/etc/plugin`: `*.py` except
 * `__init__*`, sorted. Compiled `.pyc`/`.pyo` files whose source is gone are
 * deleted on the way, as the original does, so that a removed promise
 * cannot be imported from its leftover.
 */
export async function pluginPromises(pluginDirectory: string, logger: Logger): Promise<string[]> {
  const names = await readdir(pluginDirectory).catch(() => [] as string[]);
  for (const name of names.filter((entry) => entry.endsWith('.pyc') || entry.endsWith('.pyo'))) {
    const path = join(pluginDirectory, name);
    if (await exists(path.slice(0, -1))) continue;
    await unlink(path).then(
      () => logger.debug('Removed stale compiled promise', { path }),
      (error: unknown) => logger.warn('Cannot remove stale compiled promise', { path, reason: (error as Error).message }),
    );
  }
  return names.filter((name) => name.endsWith('.py') && !name.startsWith('__init__')).sort();
}
