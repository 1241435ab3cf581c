import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { hasCode, messageOf } from '../../errors/index.ts';
import type { Logger } from '../../log/index.ts';
import { decideSoftwareAction, type SoftwareAction } from './decide.ts';
import { removeSoftwareDirectory } from './destroy.ts';
import { SoftwareErrorCode } from './errors.ts';
import { softwareUrlHash } from './hash.ts';
import { COMPLETED_FILE, installSoftwareRelease, type SoftwareInstallContext, type SoftwarePhase } from './install.ts';

/** A software release of this computer as the master gives it (slap's SoftwareRelease satisfies it). */
export interface SoftwareReleaseOrder {
  getURI(): string;
  getState(): string;
  building(): Promise<void>;
  available(): Promise<void>;
  destroyed(): Promise<void>;
  error(errorLog: string, logger?: Logger): Promise<void>;
}

export type SoftwareOutcome = 'installed' | 'downloaded' | 'up-to-date' | 'destroyed' | 'failed' | 'ignored';

/** Progress of a run, one event per step, rendered by the CLI (`[2/5] <url>: building… done in 12.3 s`). */
export type SoftwareProgressEvent =
  | { kind: 'begin'; index: number; total: number; url: string; hash: string; action: SoftwareAction }
  | { kind: 'phase'; index: number; total: number; url: string; phase: SoftwarePhase | 'destroying' }
  | { kind: 'end'; index: number; total: number; url: string; outcome: SoftwareOutcome; seconds: number; error?: string };

export interface SoftwareRunOptions extends SoftwareInstallContext {
  /** --develop / --all: rebuild even completed releases. */
  develop?: boolean;
  /** --only-sr: URLs or hashes to (re)build, all others untouched. */
  onlySr?: readonly string[];
  onProgress?: (event: SoftwareProgressEvent) => void;
}

export interface SoftwareReleaseResult {
  url: string;
  hash: string;
  outcome: SoftwareOutcome;
  error?: string;
}

export interface SoftwareRunSummary {
  /** False when any release failed or the run was interrupted (the command then exits 1). */
  ok: boolean;
  /** The signal given in the options aborted the run. */
  interrupted: boolean;
  results: SoftwareReleaseResult[];
}

/**
 * Processes every software release of the computer, one after the other: a
 * failure is reported to the master (softwareReleaseError) and the run goes on
 * with the next release.
 */
export async function processSoftwareReleaseList(options: SoftwareRunOptions, releases: SoftwareReleaseOrder[]): Promise<SoftwareRunSummary> {
  const results: SoftwareReleaseResult[] = [];
  for (const [position, release] of releases.entries()) {
    // interrupted (SIGINT/SIGTERM): the release being built was reported failed; leave the others alone
    if (options.signal?.aborted) break;
    results.push(await processSoftwareRelease(options, release, position + 1, releases.length));
  }
  const interrupted = options.signal?.aborted === true;
  return { ok: !interrupted && results.every((result) => result.outcome !== 'failed'), interrupted, results };
}

async function processSoftwareRelease(options: SoftwareRunOptions, release: SoftwareReleaseOrder, index: number, total: number): Promise<SoftwareReleaseResult> {
  const { config, logger } = options;
  const started = performance.now();
  let url = '';
  let hash = '';
  const end = (outcome: SoftwareOutcome, error?: string): SoftwareReleaseResult => {
    options.onProgress?.({ kind: 'end', index, total, url, outcome, seconds: (performance.now() - started) / 1000, error });
    return { url, hash, outcome, error };
  };
  try {
    url = release.getURI();
    hash = softwareUrlHash(url);
    const path = join(config.softwareRoot, hash);
    const action = decideSoftwareAction({
      state: release.getState(), url, hash, completed: existsSync(join(path, COMPLETED_FILE)), develop: options.develop ?? false, onlySr: options.onlySr,
    });
    options.onProgress?.({ kind: 'begin', index, total, url, hash, action });
    const releaseLogger = logger.child({ software: url });
    switch (action) {
      case 'ignore':
        return end('ignored');
      case 'keep':
        releaseLogger.debug('Software release already installed', { path });
        await ignoringNotFound(() => release.available());
        return end('up-to-date');
      case 'destroy':
        options.onProgress?.({ kind: 'phase', index, total, url, phase: 'destroying' });
        if (existsSync(path)) {
          releaseLogger.info('Destroying software release', { path });
          await removeSoftwareDirectory(path);
        }
        await ignoringNotFound(() => release.destroyed());
        return end('destroyed');
      case 'install': {
        releaseLogger.info('Installing software release', { path });
        await ignoringNotFound(() => release.building());
        const how = await installSoftwareRelease({
          ...options, logger: releaseLogger, onPhase: (phase) => options.onProgress?.({ kind: 'phase', index, total, url, phase }),
        }, url);
        await ignoringNotFound(() => release.available());
        return end(how === 'downloaded' ? 'downloaded' : 'installed');
      }
    }
  } catch (error) {
    const text = errorReport(error);
    logger.error(`Software release ${url || '(unknown URL)'} failed: ${firstLine(messageOf(error))}`, { code: (error as { code?: unknown }).code });
    try {
      await release.error(text, logger);
    } catch (reportError) {
      // a release the master described without URL cannot even be reported; the run goes on
      logger.error(`cannot report the failure to the master: ${messageOf(reportError)}`);
    }
    return end('failed', messageOf(error));
  }
}

/** The 404 the master answers for an unknown software release is ignored, as the original does. */
async function ignoringNotFound(report: () => Promise<void>): Promise<void> {
  try {
    await report();
  } catch (error) {
    if (!hasCode(error, 'SLAP_ERR_NOT_FOUND')) throw error;
  }
}

/** Text sent to the master: buildout's own message (with its output), or the error with its code. */
function errorReport(error: unknown): string {
  if (hasCode(error, SoftwareErrorCode.BUILDOUT_FAILED)) return error.message;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${code}: ${messageOf(error)}` : messageOf(error);
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}
