import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProxy } from '../../src/proxy/index.ts';
import { silentLogger, type Logger } from '../../src/log/index.ts';

export interface TestProxy {
  /** Base URL, `http://127.0.0.1:<port>`. */
  url: string;
  databasePath: string;
  /** Temporary directory holding the database; removed by close(). */
  dir: string;
  close(): Promise<void>;
}

/**
 * A real proxy, in this process, on 127.0.0.1 and a free port, with a fresh
 * SQLite database in a temporary directory. The default computer id is
 * `computer` (as in slapos.core's own proxy tests).
 */
export async function startTestProxy(options: {
  computerId?: string;
  logger?: Logger;
  /** Share an existing database (e.g. with another proxy) instead of a new one in `dir`. */
  databasePath?: string;
  /** Called with the database path before the proxy opens it, e.g. to write an older schema there. */
  prepareDatabase?: (databasePath: string) => Promise<void>;
} = {}): Promise<TestProxy> {
  const dir = await mkdtemp(join(tmpdir(), 'slapos-test-proxy-'));
  const databasePath = options.databasePath ?? join(dir, 'proxy.db');
  await options.prepareDatabase?.(databasePath);
  const proxy = await createProxy({ databasePath, logger: options.logger ?? silentLogger(), computerId: options.computerId ?? 'computer' });
  let url: string;
  try {
    url = await proxy.listen('127.0.0.1', 0);
  } catch (error) {
    await proxy.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    databasePath,
    dir,
    async close() {
      await proxy.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
