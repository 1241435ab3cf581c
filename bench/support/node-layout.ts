import { chmod, chown, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { softwareUrlHash } from '../../src/grid/index.ts';

/** The uid/gid partitions belong to when the benchmark runs as root (slapgrid refuses to build as root). */
const NOBODY = 65534;
const RUNNING_AS_ROOT = process.getuid?.() === 0;

/** slapos.cfg of a node talking to `masterUrl`, with its roots under `dir`. */
export async function writeNodeConfig(dir: string, masterUrl: string, computerId: string): Promise<{ cfg: string; instanceRoot: string; softwareRoot: string }> {
  const instanceRoot = join(dir, 'instance');
  const softwareRoot = join(dir, 'software');
  await mkdir(instanceRoot, { mode: 0o755 });
  await mkdir(softwareRoot, { mode: 0o755 });
  await chmod(dir, 0o755);
  const cfg = join(dir, 'node.cfg');
  await writeFile(cfg, [
    '[slapos]', `master_url = ${masterUrl}`, `computer_id = ${computerId}`,
    `instance_root = ${instanceRoot}`, `software_root = ${softwareRoot}`, `pidfile = ${join(dir, 'slapgrid.pid')}`, '',
  ].join('\n'));
  return { cfg, instanceRoot, softwareRoot };
}

/** Partition directories as slapformat leaves them, owned by the partition user (nobody, when root). */
export async function makePartitionDirectories(instanceRoot: string, partitionIds: readonly string[]): Promise<void> {
  for (const id of partitionIds) {
    const path = join(instanceRoot, id);
    await mkdir(path, { mode: 0o750 });
    await chmod(path, 0o750);
    if (RUNNING_AS_ROOT) await chown(path, NOBODY, NOBODY);
  }
}

/**
 * A software release as `node software` leaves it once built: its directory,
 * `.completed`, an instance profile, and a `bin/buildout` that deploys an
 * instance the cheap way: one long-sleeping service and one promise that
 * holds. Buildout itself is not what these benchmarks measure.
 */
export async function installFakeSoftwareRelease(softwareRoot: string, url: string): Promise<string> {
  const path = join(softwareRoot, softwareUrlHash(url));
  await mkdir(join(path, 'bin'), { recursive: true, mode: 0o755 });
  await writeFile(join(path, 'instance.cfg'), '[buildout]\nparts =\n');
  await writeFile(join(path, '.completed'), new Date().toUTCString());
  await writeFile(join(path, 'bin', 'buildout'), [
    '#!/bin/sh',
    'set -e',
    'mkdir -p etc/service etc/promise',
    "printf '#!/bin/sh\\nexec sleep 1000000\\n' > etc/service/sleeper",
    "printf '#!/bin/sh\\nexit 0\\n' > etc/promise/holds",
    'chmod 755 etc/service/sleeper etc/promise/holds',
    '',
  ].join('\n'), { mode: 0o755 });
  return path;
}
