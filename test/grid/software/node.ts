import { chown, cp, mkdir, mkdtemp, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Slap } from '../../../src/slap/index.ts';
import { SqliteStore, type SoftwareRecord } from '../../../src/proxy/index.ts';
import { silentLogger } from '../../../src/log/index.ts';
import { startTestProxy, type TestProxy } from '../../helpers/proxy.ts';
import { REPO_ROOT } from '../../helpers/cli.ts';

/** The unprivileged user builds run as when the tests run as root (the original refuses uid 0). */
export const BUILD_UID = 65534;
export const BUILD_GID = 65534;
export const RUNNING_AS_ROOT = process.getuid?.() === 0;

/** Fixtures are read from the checkout, whether the tests run from sources or from dist/. */
const RECIPE = join(REPO_ROOT, 'test', 'fixtures', 'software', 'recipe');

/** A node for `slapos node software`: a proxy, software/instance roots, slapos.cfg and a local recipe. */
export interface TestNode {
  dir: string;
  proxy: TestProxy;
  softwareRoot: string;
  cfgPath: string;
  /** Writes a profile using the test recipe; returns its path (the software release URL). */
  profile(name: string, parts: Record<string, Record<string, string>>): Promise<string>;
  supply(url: string, state?: 'available' | 'destroyed'): Promise<void>;
  /** What the proxy knows of this computer's software releases. */
  software(): Promise<SoftwareRecord[]>;
  close(): Promise<void>;
}

export async function startTestNode(options: { buildout?: string; slapos?: Record<string, string>; networkcache?: Record<string, string> } = {}): Promise<TestNode> {
  const dir = await mkdtemp(join(tmpdir(), 'slapos-test-sr-'));
  await chmod(dir, 0o755); // builds run as another user when root
  const softwareRoot = join(dir, 'software');
  const instanceRoot = join(dir, 'instance');
  await mkdir(softwareRoot);
  await mkdir(instanceRoot);
  const recipe = join(dir, 'recipe');
  await cp(RECIPE, recipe, { recursive: true });
  if (RUNNING_AS_ROOT) {
    // `develop =` writes egg-info into the recipe, as the build user
    for (const path of [softwareRoot, recipe, join(recipe, 'slapostest_recipe')]) await chown(path, BUILD_UID, BUILD_GID);
  }
  const proxy = await startTestProxy();
  const slapos: Record<string, string> = {
    master_url: proxy.url,
    computer_id: 'computer',
    software_root: softwareRoot,
    instance_root: instanceRoot,
    pidfile: join(dir, 'slapgrid-sr.pid'),
    // the suite must pass on a machine with little free disk too: the 1000M default is tested on its own
    software_min_free_space: '1M',
    instance_min_free_space: '1M',
    ...(options.buildout ? { buildout: options.buildout } : {}),
    ...options.slapos,
  };
  const sections = [`[slapos]\n${lines(slapos)}`];
  if (options.networkcache) sections.push(`[networkcache]\n${lines(options.networkcache)}`);
  const cfgPath = join(dir, 'slapos.cfg');
  await writeFile(cfgPath, `${sections.join('\n')}\n`);
  const slap = new Slap({ logger: silentLogger() });
  slap.initializeConnection(proxy.url);
  return {
    dir,
    proxy,
    softwareRoot,
    cfgPath,
    async profile(name, parts) {
      const path = join(dir, `${name}.cfg`);
      const body = Object.entries(parts).map(([part, values]) => `[${part}]\nrecipe = slapostest_recipe\n${lines(values)}`).join('\n');
      await writeFile(path, `[buildout]\noffline = true\ndevelop = ${recipe}\nparts = ${Object.keys(parts).join(' ')}\n\n${body}\n`);
      return path;
    },
    async supply(url, state = 'available') {
      await slap.registerSupply().supply(url, 'computer', state);
    },
    async software() {
      const store = new SqliteStore({ databasePath: proxy.databasePath, logger: silentLogger() });
      try {
        return await store.transaction((tx) => tx.listSoftware('computer'));
      } finally {
        await store.close();
      }
    },
    async close() {
      await slap.close();
      await proxy.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function lines(values: Record<string, string>): string {
  return Object.entries(values).map(([k, v]) => `${k} = ${v}\n`).join('');
}

export async function readText(path: string): Promise<string> {
  return readFile(path, 'utf8');
}
