import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../log/index.ts';
import { messageOf } from '../../errors/index.ts';
import { cleanEnvironment, runChild } from '../spawn.ts';
import type { PartitionAccount } from '../supervisord/index.ts';
import { checkJournal, parseConsumption, type PartitionUsage } from './consumption.ts';
import { ReportError } from './errors.ts';

/** Usage documents larger than this are left in place as invalid. */
const MAX_USAGE_BYTES = 16 * 1024 * 1024;

/** A partition as the usage report sees it. */
export interface UsagePartition {
  id: string;
  path: string;
  account: PartitionAccount;
  logger: Logger;
}

async function listFiles(directory: string): Promise<string[]> {
  return (await readdir(directory).catch(() => [] as string[])).sort();
}

/**
 * Runs every script of `<partition>/etc/report` as the partition user, each
 * given the path of the usage document it may write (one random name per
 * partition and run, under `var/xml_report`). Throws
 * GRID_ERR_REPORT_SCRIPT_FAILED naming the scripts that exited non-zero,
 * after all of them ran.
 */
export async function runReportScripts(partition: UsagePartition, baseEnv: NodeJS.ProcessEnv): Promise<void> {
  const directory = join(partition.path, 'etc', 'report');
  const scripts = await listFiles(directory);
  if (scripts.length === 0) return;
  const reportPath = join(partition.path, 'var', 'xml_report', `slapreport.${randomBytes(6).toString('hex')}`);
  const failed: string[] = [];
  for (const name of scripts) {
    const result = await runChild({
      command: join(directory, name),
      args: [reportPath],
      cwd: directory,
      env: cleanEnvironment(baseEnv, partition.account.home),
      user: { uid: partition.account.uid, gid: partition.account.gid, name: partition.account.name },
      onLine: (line) => partition.logger.info(line, { partition: partition.id, source: `report ${name}` }),
    });
    if (!result.ok) {
      partition.logger.warn('Report script failed', { partition: partition.id, script: name, exit: result.exitCode ?? result.signal });
      failed.push(`Script '${name}' failed.`);
    }
  }
  if (failed.length > 0) throw new ReportError('GRID_ERR_REPORT_SCRIPT_FAILED', failed.join('\n'));
}

/** Usage documents read from disk, with the files to delete once the master has them. */
export interface CollectedUsage {
  usages: PartitionUsage[];
  files: string[];
}

/**
 * Reads the partition's usage documents (`<partition>/var/xml_report/*` and
 * `<instance_root>/var/xml_report/<id>/*`). Valid ones are returned; invalid
 * ones are left in place, with a warning, for the operator to inspect.
 */
export async function collectUsage(partition: UsagePartition, instanceRoot: string): Promise<CollectedUsage> {
  const collected: CollectedUsage = { usages: [], files: [] };
  for (const directory of [join(partition.path, 'var', 'xml_report'), join(instanceRoot, 'var', 'xml_report', partition.id)]) {
    const documents = await readValidReports(directory, parseConsumption, (path, reason) => {
      partition.logger.warn('Usage report is not valid and is left where it is', { partition: partition.id, path, reason });
    });
    for (const { path, value: movements } of documents) {
      collected.usages.push({ partitionId: partition.id, movements });
      collected.files.push(path);
    }
  }
  return collected;
}

/** A journal an instance prepared for the whole computer, sent as it is. */
export interface ComputerJournal {
  path: string;
  xml: string;
}

/**
 * Valid computer consumption journals of `<instance_root>/var/xml_report/<computer_id>/`
 * (HEAD); invalid ones are left in place with a warning.
 */
export async function collectComputerJournals(instanceRoot: string, computerId: string, logger: Logger): Promise<ComputerJournal[]> {
  if (computerId === '.' || computerId === '..' || computerId.includes('/')) return [];
  const directory = join(instanceRoot, 'var', 'xml_report', computerId);
  const journals = await readValidReports(directory, checkJournal, (path, reason) => {
    logger.warn('Computer usage journal is not valid and is left where it is', { path, reason });
  });
  return journals.map(({ path, xml }) => ({ path, xml }));
}

/**
 * The regular files of a report directory that `parse` accepts (it throws on
 * an invalid one, as does a file over {@link MAX_USAGE_BYTES}); the others are
 * left in place for the operator and passed to `onInvalid`.
 */
async function readValidReports<T>(
  directory: string, parse: (xml: string) => T, onInvalid: (path: string, reason: string) => void,
): Promise<{ path: string; xml: string; value: T }[]> {
  const reports: { path: string; xml: string; value: T }[] = [];
  for (const name of await listFiles(directory)) {
    const path = join(directory, name);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) continue;
    try {
      if (info.size > MAX_USAGE_BYTES) throw new ReportError('GRID_ERR_USAGE_INVALID', `larger than ${MAX_USAGE_BYTES} bytes`);
      const xml = await readFile(path, 'utf8');
      reports.push({ path, xml, value: parse(xml) });
    } catch (error) {
      onInvalid(path, messageOf(error));
    }
  }
  return reports;
}

/** Deletes usage documents the master received. */
export async function deleteSentUsage(files: string[]): Promise<void> {
  for (const file of files) {
    await unlink(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
}
