import { existsSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuildoutRunner } from '../../buildout/runner/index.ts';
import type { Logger } from '../../log/index.ts';
import { checkFreeSpace } from '../free-space.ts';
import type { NodeConfig } from '../node-config.ts';
import { LineSplitter, cleanEnvironment, lookupUser, type UserEntry } from '../spawn.ts';
import { downloadSoftwareArchive, downloadUse, uploadSoftwareArchive, uploadUse } from '../networkcache/binary-cache.ts';
import { createSoftwareArchive, extractSoftwareArchive } from './archive.ts';
import { renderSoftwareBuildoutCfg } from './buildout-cfg.ts';
import { SoftwareErrorCode, softwareError } from './errors.ts';
import { softwareUrlHash } from './hash.ts';
import { messageOf } from '../../errors/index.ts';

/** umask around buildout runs, as the original (rwx for the owner, rx for the group, nothing for others). */
export const BUILDOUT_UMASK = 0o027;

/** Marker file of a fully installed release. */
export const COMPLETED_FILE = '.completed';

export type SoftwarePhase = 'downloading' | 'extracting' | 'building' | 'uploading';

export interface SoftwareInstallContext {
  config: NodeConfig;
  runner: BuildoutRunner;
  logger: Logger;
  onPhase?: (phase: SoftwarePhase) => void;
  signal?: AbortSignal;
}

export type InstallOutcome = 'built' | 'downloaded';

/**
 * Installs one software release in `software_root/<md5(url)>`, refused
 * when less than `software_min_free_space` is left there: from the
 * binary cache when the directory does not exist yet and a trusted archive is
 * there, else by running buildout as the owner of software_root (then the
 * result is uploaded when the cache is configured for uploads). Ends by
 * writing `.completed`.
 */
export async function installSoftwareRelease(ctx: SoftwareInstallContext, url: string): Promise<InstallOutcome> {
  const { config, logger } = ctx;
  const hash = softwareUrlHash(url);
  const path = join(config.softwareRoot, hash);
  const cached = { url, softwareRoot: config.softwareRoot, hash };
  await checkFreeSpace({ path, required: config.softwareMinFreeSpace, option: 'software_min_free_space' });
  const scratch = await mkdtemp(join(tmpdir(), 'slapos-software-'));
  try {
    if (!existsSync(path) && !('skip' in downloadUse(config.networkcache, cached))) {
      const archive = join(scratch, `${hash}.tar.gz`);
      ctx.onPhase?.('downloading');
      if (await downloadSoftwareArchive({ config: config.networkcache, logger }, cached, archive)) {
        ctx.onPhase?.('extracting');
        try {
          await extractSoftwareArchive(archive, config.softwareRoot, hash);
          await markCompleted(path);
          return 'downloaded';
        } catch (error) {
          logger.warn(`Cached archive of ${url} is unusable, building instead: ${messageOf(error)}`);
          await rm(path, { recursive: true, force: true });
        }
      }
    }
    ctx.onPhase?.('building');
    await buildSoftwareRelease(ctx, url, path);
    if (!('skip' in uploadUse(config.networkcache, cached))) {
      ctx.onPhase?.('uploading');
      await uploadBuiltRelease(ctx, cached, join(scratch, `${hash}.tar.gz`));
    }
    await markCompleted(path);
    return 'built';
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function buildSoftwareRelease(ctx: SoftwareInstallContext, url: string, path: string): Promise<void> {
  const { config, logger } = ctx;
  const owner = await ownerOf(config.softwareRoot);
  const extendsCache = join(path, 'extends-cache');
  for (const directory of [path, extendsCache]) {
    await mkdir(directory, { mode: 0o755, recursive: true });
    await chownToOwner(directory, owner);
  }
  const buildoutCfg = join(path, 'buildout.cfg');
  if (!existsSync(buildoutCfg)) {
    await writeFile(buildoutCfg, renderSoftwareBuildoutCfg({ url }), { mode: 0o644 });
    await chownToOwner(buildoutCfg, owner);
  }
  const lines = new LineSplitter((line) => logger.info(line, { stream: 'buildout' }));
  const result = await ctx.runner.run({
    directory: path,
    config: 'buildout.cfg',
    user: { uid: owner.uid, gid: owner.gid, name: owner.name },
    env: cleanEnvironment(process.env, owner.home),
    umask: BUILDOUT_UMASK,
    args: buildoutParameters(config, path, extendsCache),
    logger,
    onOutput: (chunk) => lines.push(chunk),
    signal: ctx.signal,
  });
  lines.end();
  if (!result.ok) {
    throw softwareError(SoftwareErrorCode.BUILDOUT_FAILED, `Failed to run buildout profile in directory '${path}':\n${result.outputTail}\n`);
  }
}

/**
 * Command-line assignments the original passes to buildout: the extends cache,
 * the target directory and, when uploads to the regular cache are set up,
 * the `[networkcache]` options recipes use.
 */
export function buildoutParameters(config: NodeConfig, path: string, extendsCache: string): string[] {
  const cache = config.networkcache;
  const params = [`buildout:extends-cache=${extendsCache}`, `buildout:directory=${path}`];
  if (cache.signaturePrivateKeyFile || cache.uploadCacheUrl || cache.uploadDirUrl !== undefined) {
    params.push('buildout:networkcache-section=networkcache');
  }
  const forwarded: Array<[string, string | undefined]> = [
    ['signature-private-key-file', cache.signaturePrivateKeyFile],
    ['upload-cache-url', cache.uploadCacheUrl],
    ['upload-dir-url', cache.uploadDirUrl],
    ['shacache-cert-file', cache.shacacheCertFile],
    ['shacache-key-file', cache.shacacheKeyFile],
    ['shadir-cert-file', cache.shadirCertFile],
    ['shadir-key-file', cache.shadirKeyFile],
  ];
  for (const [option, value] of forwarded) if (value) params.push(`networkcache:${option}=${value}`);
  return params;
}

async function uploadBuiltRelease(ctx: SoftwareInstallContext, cached: { url: string; softwareRoot: string; hash: string }, archive: string): Promise<void> {
  try {
    await createSoftwareArchive(cached.softwareRoot, cached.hash, archive);
  } catch (error) {
    ctx.logger.warn(`Not uploading ${cached.url}: ${messageOf(error)}`);
    return;
  }
  await uploadSoftwareArchive({ config: ctx.config.networkcache, logger: ctx.logger }, cached, archive);
}

/** The user owning software_root: builds run as this user (dropped to when root). */
async function ownerOf(directory: string): Promise<UserEntry> {
  const info = await stat(directory);
  if (process.getuid?.() === 0) return lookupUser(info.uid);
  // not root: the build runs as ourselves whoever owns the directory; only HOME is needed
  return lookupUser(info.uid).catch(() => ({ name: '', uid: info.uid, gid: info.gid, home: process.env.HOME ?? directory }));
}

async function chownToOwner(path: string, owner: UserEntry): Promise<void> {
  if (process.getuid?.() !== 0) return;
  await chown(path, owner.uid, owner.gid);
}

async function markCompleted(path: string): Promise<void> {
  await writeFile(join(path, COMPLETED_FILE), asctime(new Date()));
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** C's asctime() in local time, e.g. `Thu Oct 11 14:03:12 2012` (the original's `.completed` content). */
export function asctime(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[date.getDay()]} ${MONTHS[date.getMonth()]} ${String(date.getDate()).padStart(2, ' ')} `
    + `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())} ${date.getFullYear()}`;
}
