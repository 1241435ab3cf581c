import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hasCode, messageOf } from '../../errors/index.ts';
import type { MarshalValue } from '../../slap/index.ts';
import { refreshPartitionCertificate } from './certificate.ts';
import type { PartitionContext, PromisePhase } from './phases.ts';

/** What the anomaly check tells the master. */
export type AnomalyReport = 'error' | 'started' | 'nothing';

/**
 * The original's rule (spec node.md §6.3), a pure function of the master's
 * access status for the instance and of the check's result: a failure is
 * reported unless the master already shows an error; a success only when
 * the master shows an error or nothing (so that it is cleared or set once).
 */
export function anomalyReport(accessStatus: MarshalValue | undefined, promisesFailed: boolean): AnomalyReport {
  const missing = accessStatus === undefined || accessStatus === null;
  const inError = typeof accessStatus === 'string' && accessStatus.startsWith('#error');
  if (promisesFailed) return inError ? 'nothing' : 'error';
  return missing || inError ? 'started' : 'nothing';
}

/**
 * Present while the last state slapgrid told the master about this
 * partition is an anomaly error. A master that sends no access status (a
 * proxy) would otherwise get `started` again on every up-to-date pass, one
 * request per partition; with this file the master hears only of changes.
 */
function errorReportedFile(partitionPath: string): string {
  return join(partitionPath, '.slapgrid', 'anomaly-error-reported');
}

/** What the master last heard from this node, standing in for the access status it does not send. */
async function locallyKnownStatus(partitionPath: string): Promise<string> {
  return (await stat(errorReportedFile(partitionPath)).catch(() => undefined)) ? '#error (reported by this node)' : '#access (started reported by this node)';
}

/** After `started` was reported for the partition, whoever reported it. */
export async function forgetReportedAnomaly(partitionPath: string): Promise<void> {
  await rm(errorReportedFile(partitionPath), { force: true });
}

async function rememberReportedAnomaly(partitionPath: string): Promise<void> {
  await mkdir(join(partitionPath, '.slapgrid'), { recursive: true, mode: 0o750 });
  await writeFile(errorReportedFile(partitionPath), '');
}

/**
 * The promise anomaly check of an up-to-date started partition: its
 * promises in anomaly mode (those not due keep their last result), and the
 * result reported to the master as `anomalyReport` says. A failed promise
 * does not fail the run; anything else that goes wrong does.
 */
export async function checkPromiseAnomaly(context: PartitionContext, promises: PromisePhase, certificateRepositoryPath: string | undefined): Promise<void> {
  const accessStatus = context.partition.getAccessStatus() ?? await locallyKnownStatus(context.path);
  let failure: string | undefined;
  try {
    await promises.check(context, 'anomaly');
  } catch (error) {
    if (!hasCode(error, 'GRID_ERR_PROMISE_FAILED')) throw error;
    failure = messageOf(error);
    context.logger.error('Promise anomaly', { partition: context.id, reason: failure });
  }
  const report = anomalyReport(accessStatus, failure !== undefined);
  if (report === 'nothing') return;
  // As the original: the partition certificate is kept fresh whenever the state is reported.
  if (certificateRepositoryPath !== undefined) await refreshPartitionCertificate(context, certificateRepositoryPath);
  if (failure !== undefined) {
    await context.partition.error(failure, context.logger);
    await rememberReportedAnomaly(context.path);
  } else {
    await context.partition.started();
    await forgetReportedAnomaly(context.path);
  }
}
