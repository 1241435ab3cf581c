import { createHash } from 'node:crypto';
import { chmod, chown, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger } from '../../src/log/index.ts';
import { marshal, Slap } from '../../src/slap/index.ts';

/*
 * What `slapos node format` and `slapos node software` would have left, for
 * the slapgrid instance and report tests: partition directories (owned by
 * "nobody" when the tests run as root, so that partition users reach them),
 * one software release installed with the given bin/buildout, a slapos.cfg,
 * and the computer registered on the master with that release supplied.
 */

const NOBODY = 65534;
export const runningAsRoot = process.getuid?.() === 0;

export interface TestComputerOptions {
  /** An empty directory readable by anyone, holding everything. */
  root: string;
  masterUrl: string;
  computerId: string;
  partitions: readonly string[];
  softwareUrl: string;
  /** The software release's bin/buildout, standing for its instance profile. */
  buildout: string;
  /** More `[slapos]` lines of slapos.cfg. */
  extraConfig?: string;
}

export interface TestComputer {
  instanceRoot: string;
  softwareRoot: string;
  cfg: string;
  /** Connected to the master; close it with the node. */
  slap: Slap;
}

export async function formatTestComputer(options: TestComputerOptions): Promise<TestComputer> {
  const { root, computerId, softwareUrl } = options;
  const instanceRoot = join(root, 'instance');
  const softwareRoot = join(root, 'software');
  await mkdir(instanceRoot, { mode: 0o755 });
  for (const id of options.partitions) {
    const path = join(instanceRoot, id);
    await mkdir(path);
    await chmod(path, 0o750);
    if (runningAsRoot) await chown(path, NOBODY, NOBODY);
  }
  const softwarePath = join(softwareRoot, createHash('md5').update(softwareUrl).digest('hex'));
  await mkdir(join(softwarePath, 'bin'), { recursive: true, mode: 0o755 });
  await chmod(softwareRoot, 0o755);
  await chmod(softwarePath, 0o755);
  await writeFile(join(softwarePath, 'instance.cfg'), '[buildout]\nparts =\n');
  await writeFile(join(softwarePath, 'bin', 'buildout'), options.buildout, { mode: 0o755 });

  const cfg = join(root, 'slapos.cfg');
  await writeFile(cfg, `[slapos]\nmaster_url = ${options.masterUrl}\ncomputer_id = ${computerId}\ninstance_root = ${instanceRoot}\nsoftware_root = ${softwareRoot}\n`
    // the suite must pass on a machine with little free disk too: the 1000M default is tested on its own
    + `software_min_free_space = 1M\ninstance_min_free_space = 1M\n${options.extraConfig ?? ''}`);
  const slap = new Slap({ logger: silentLogger() });
  slap.initializeConnection(options.masterUrl);
  await slap.registerComputer(computerId).updateConfiguration(marshal({
    reference: computerId, address: '127.0.0.1', netmask: '255.0.0.0',
    partition_list: options.partitions.map((id) => ({ reference: id, tap: { name: id }, address_list: [{ addr: '127.0.0.1', netmask: '255.0.0.0' }] })),
  }));
  await slap.registerSupply().supply(softwareUrl, computerId);
  return { instanceRoot, softwareRoot, cfg, slap };
}
