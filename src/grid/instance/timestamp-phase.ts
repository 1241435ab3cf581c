import { readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PartitionContext, TimestampPhase } from './phases.ts';
import { decideProcessing, type ProcessingDecision } from './processing-decision.ts';

export interface TimestampPhaseOptions {
  force: boolean;
  /** `maximum_periodicity`, seconds. */
  maximumPeriodicity: number;
  /** True when maximum_periodicity was configured: a software release's `periodicity` file is then ignored. */
  forcePeriodicity: boolean;
  now?: () => number;
}

async function readOptional(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
}

/** `<partition>/.timestamp` and the periodicity rules of spec node.md §5.5. */
export class PartitionTimestamp implements TimestampPhase {
  constructor(private readonly options: TimestampPhaseOptions) {}

  private async periodicity(context: PartitionContext): Promise<number> {
    if (this.options.forcePeriodicity) return this.options.maximumPeriodicity;
    const path = join(context.softwarePath, 'periodicity');
    const text = await readOptional(path);
    if (text === undefined) return this.options.maximumPeriodicity;
    if (/^\s*-?\d+\s*$/.test(text)) return Number(text.trim());
    context.logger.error('periodicity file is not an integer, removing it', { path });
    await unlink(path).catch(() => undefined);
    return this.options.maximumPeriodicity;
  }

  async decide(context: PartitionContext): Promise<ProcessingDecision> {
    const path = join(context.path, '.timestamp');
    const localTimestamp = await readOptional(path);
    const mtime = localTimestamp === undefined ? undefined : (await stat(path)).mtimeMs;
    const decision = decideProcessing({
      force: this.options.force,
      masterTimestamp: context.masterTimestamp,
      localTimestamp,
      localTimestampMtimeMs: mtime,
      periodicitySeconds: await this.periodicity(context),
      nowMs: (this.options.now ?? Date.now)(),
    });
    // Until this processing succeeds, nothing says the partition is up to date.
    if (decision.process && localTimestamp !== undefined) await unlink(path).catch(() => undefined);
    return decision;
  }

  async record(context: PartitionContext): Promise<void> {
    if (context.masterTimestamp === undefined) return;
    await writeFile(join(context.path, '.timestamp'), context.masterTimestamp);
  }
}
