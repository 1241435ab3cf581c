import { chmod, chown, lchown, lstat, readdir, readFile, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runThroughInterpreter, type BuildoutResult, type BuildoutRunner } from '../../buildout/runner/index.ts';
import { SlapOSError } from '../../errors/index.ts';
import { isMarshalDict, PyFloat, type MarshalValue } from '../../slap/index.ts';
import { NodeErrorCode } from '../errors.ts';
import { checkFreeSpace } from '../free-space.ts';
import { parseRetentionNumber, writeRetentionDelay } from '../report/retention.ts';
import { cleanEnvironment, runChild } from '../spawn.ts';
import { InstanceError } from './errors.ts';
import { renderPartitionProfile } from './buildout-profile.ts';
import { partitionCertificatePaths, refreshPartitionCertificate } from './certificate.ts';
import type { InstallPhase, PartitionContext } from './phases.ts';

/** The only mode a partition directory may have (made so by `slapos node format`). */
const PARTITION_MODE = 0o750;
/** umask of buildout runs, as the original. */
const BUILDOUT_UMASK = 0o027;

export interface BuildoutInstallOptions {
  computerId: string;
  masterUrl: string;
  /** Exported to buildout as SLAPGRID_INSTANCE_ROOT, so that the instances it requests are recorded. */
  instanceRoot: string;
  /** Where `<partition>.key/.crt` are kept; empty key-file/cert-file without it. */
  certificateRepositoryPath?: string;
  /** Used when the software release has no buildout of its own (built-in engine or bootstrap). */
  runner: BuildoutRunner;
  /** Environment the partition's clean environment is made from. */
  baseEnv: NodeJS.ProcessEnv;
  /** Bytes that must be available in the partition before buildout runs (`instance_min_free_space`); none = no check. */
  minFreeSpace?: number;
  /** Seconds the partition's buildout may run (`partition_timeout`); none = no limit. */
  partitionTimeout?: number;
}

/** A buildout killed for running past `partition_timeout`. */
const GRID_ERR_BUILDOUT_TIMEOUT = NodeErrorCode.BUILDOUT_TIMEOUT;

const isRoot = (): boolean => process.getuid?.() === 0;

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/**
 * Install phase (spec node.md §5.4): checks free space and the partition
 * directory, links the software release, writes buildout.cfg, runs buildout
 * as the partition user (within partition_timeout) and, after the first
 * successful run, records the retention delay the master asked for.
 */
export class BuildoutInstall implements InstallPhase {
  constructor(private readonly options: BuildoutInstallOptions) {}

  async install(context: PartitionContext): Promise<void> {
    context.logger.info('Installing Computer Partition', { partition: context.id });
    await checkFreeSpace({ path: context.path, required: this.options.minFreeSpace ?? 0, option: 'instance_min_free_space' });
    await this.checkPartitionDirectory(context);
    if (!(await exists(context.softwarePath))) {
      throw new InstanceError('GRID_ERR_SOFTWARE_NOT_INSTALLED', `Software Release ${context.softwareReleaseUrl} is not present on system (${context.softwarePath}). Cannot deploy instance.`);
    }
    await this.linkSoftwareRelease(context);
    if (this.options.certificateRepositoryPath !== undefined) await refreshPartitionCertificate(context, this.options.certificateRepositoryPath);
    await this.writeProfile(context);
    const result = await this.runBuildout(context);
    if (result.timedOut === true) {
      throw new SlapOSError(GRID_ERR_BUILDOUT_TIMEOUT, `Buildout of partition ${context.id} did not finish within partition_timeout `
        + `(${this.options.partitionTimeout} s): killed with every process it started. End of its output:\n${result.outputTail}\n`);
    }
    if (!result.ok) {
      throw new InstanceError('GRID_ERR_BUILDOUT_FAILED', `Failed to run buildout profile in directory '${context.path}':\n${result.outputTail}\n`);
    }
    await writeRetentionDelay(context.path, retentionDelayOf(context), isRoot() ? context.account : undefined);
  }

  private async checkPartitionDirectory(context: PartitionContext): Promise<void> {
    const info = await stat(context.path).catch(() => undefined);
    if (!info?.isDirectory()) {
      throw new InstanceError('GRID_ERR_PARTITION_DIRECTORY', `Please create partition directory ${context.path}`);
    }
    const mode = info.mode & 0o777;
    if (mode !== PARTITION_MODE) {
      throw new InstanceError('GRID_ERR_PARTITION_DIRECTORY', `Wrong permissions in ${context.path}: actual permissions are: 0${mode.toString(8)}, wanted are 0${PARTITION_MODE.toString(8)}`);
    }
  }

  /** `<partition>/software_release` → the software directory; anything else by that name is left alone. */
  private async linkSoftwareRelease(context: PartitionContext): Promise<void> {
    const link = join(context.path, 'software_release');
    const current = await lstat(link).catch(() => undefined);
    if (current && !current.isSymbolicLink()) {
      context.logger.debug('software_release is not a symlink, left alone', { path: link });
      return;
    }
    if (current) await unlink(link);
    await symlink(context.softwarePath, link);
    if (isRoot()) await lchown(link, context.account.uid, context.account.gid);
  }

  private async writeProfile(context: PartitionContext): Promise<void> {
    let template: string | undefined;
    for (const name of ['instance.cfg', 'template.cfg']) {
      template = await readFile(join(context.softwarePath, name), 'utf8').catch(() => undefined);
      if (template !== undefined) break;
    }
    if (template === undefined) {
      throw new InstanceError('GRID_ERR_SOFTWARE_NOT_INSTALLED', `Software Release ${context.softwareReleaseUrl} is not correctly installed.\nMissing file: ${join(context.softwarePath, 'instance.cfg')}`);
    }
    const repository = this.options.certificateRepositoryPath;
    const certificate = repository === undefined ? { keyFile: '', certFile: '' } : partitionCertificatePaths(repository, context.id);
    const profile = renderPartitionProfile(template, {
      computerId: this.options.computerId,
      partitionId: context.id,
      serverUrl: this.options.masterUrl,
      softwareReleaseUrl: context.softwareReleaseUrl,
      ...certificate,
      requestedState: context.requestedState,
      sharedPartList: [],
      buildTimePartList: [],
      storageHome: '',
      ipv4GlobalNetwork: '',
    });
    const path = join(context.path, 'buildout.cfg');
    await writeFile(path, profile, { mode: 0o640 });
    await chmod(path, 0o640);
    // Readable by the partition's group only; the file stays owned by slapgrid.
    if (isRoot()) await chown(path, -1, context.account.gid);
  }

  /**
   * The software release's own buildout (after its bootstrap script, if it
   * ships one) as the original does; the configured runner when it has none.
   */
  private async runBuildout(context: PartitionContext): Promise<BuildoutResult> {
    const env = { ...cleanEnvironment(this.options.baseEnv, context.path), SLAPGRID_INSTANCE_ROOT: this.options.instanceRoot };
    const user = context.account;
    const onLine = (line: string): void => context.logger.info(line, { partition: context.id, source: 'buildout' });
    const timeoutSeconds = this.options.partitionTimeout;
    const runScript = (script: string, args: string[], limit?: number): Promise<BuildoutResult> => runThroughInterpreter(script, args,
      (command, commandArgs) => runChild({ command, args: commandArgs, cwd: context.path, env, user, umask: BUILDOUT_UMASK, onLine, timeoutSeconds: limit }));
    const binDirectory = join(context.softwarePath, 'bin');
    const bootstraps = (await readdir(binDirectory).catch(() => [] as string[])).filter((name) => name.startsWith('bootstrap'));
    if (bootstraps.length > 1) {
      throw new InstanceError('GRID_ERR_BUILDOUT_FAILED', `More than one bootstrap candidate found in ${binDirectory}: ${bootstraps.join(', ')}`);
    }
    let buildout = join(binDirectory, 'buildout');
    if (bootstraps.length === 1) {
      const bootstrap = await runScript(join(binDirectory, bootstraps[0]!), []);
      if (!bootstrap.ok) {
        throw new InstanceError('GRID_ERR_BUILDOUT_FAILED', `Failed to bootstrap buildout in '${context.path}':\n${bootstrap.outputTail}\n`);
      }
      buildout = join(context.path, 'sbin', 'buildout');
    }
    // as the original, the limit is on the buildout run itself, not on the bootstrap
    if (await exists(buildout)) return runScript(buildout, ['-U'], timeoutSeconds);
    context.logger.info('No buildout in the software release, using the configured runner', { partition: context.id, runner: this.options.runner.kind });
    return this.options.runner.run({
      directory: context.path,
      user,
      env,
      umask: BUILDOUT_UMASK,
      logger: context.logger,
      onOutput: (chunk) => { for (const line of chunk.split('\n')) if (line) onLine(line); },
      timeoutSeconds,
    });
  }
}

/**
 * The retention delay (days) the master asks for in the partition's filter
 * (SLA) dict, 0 when it asks for none; a value that is not a number is
 * ignored with a warning, as the original does.
 */
function retentionDelayOf(context: PartitionContext): number {
  const filter = context.partition.attributes._filter_dict;
  const value: MarshalValue | undefined = isMarshalDict(filter) ? filter.retention_delay : undefined;
  if (value === undefined || value === null) return 0;
  const delay = typeof value === 'number' || typeof value === 'bigint' ? Number(value)
    : value instanceof PyFloat ? value.value
      : typeof value === 'string' ? parseRetentionNumber(value) : undefined;
  if (delay === undefined || !Number.isFinite(delay)) {
    const shown = typeof value === 'string' ? JSON.stringify(value) : `a ${typeof value}`;
    context.logger.warn(`Retention delay value (${shown}) is not valid, ignoring.`, { partition: context.id });
    return 0;
  }
  return delay;
}
