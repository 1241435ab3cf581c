/**
 * slapformat from start to end: read what a previous run stored, probe the
 * machine, plan, then (unless dry-run) apply stage by stage and tell the
 * master. Any bad input fails before the first change.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log/index.ts';
import { applyPlan } from './apply.ts';
import { readDefinitionFile, writeDefinitionFile } from './definition-file.ts';
import { FormatError, FormatErrorCode } from './errors.ts';
import type { FormatOptions } from './options.ts';
import { defineComputer, planFormat, probeRequestFor, type Plan } from './plan.ts';
import { reportComputer } from './report.ts';
import { loadComputer, saveComputer } from './store.ts';
import type { System } from './system.ts';

/** Both versions of the original wait up to an hour, so that a fleet started by cron does not hit the master at once. */
const MAX_START_DELAY_S = 3600;

export interface FormatDependencies {
  logger: Logger;
  system: System;
  /** In [0, 1); the start delay is this fraction of an hour. */
  random?: () => number;
}

export interface FormatResult {
  plan: Plan;
  /** False for a dry run. */
  applied: boolean;
}

export async function formatComputer(options: FormatOptions, dependencies: FormatDependencies): Promise<FormatResult> {
  const { logger, system } = dependencies;
  if (!options.now) {
    const seconds = Math.round(MAX_START_DELAY_S * (dependencies.random ?? Math.random)());
    logger.info(`Sleeping for ${seconds} seconds. To disable this feature, use the --now option.`);
    await sleep(seconds * 1000);
  }
  const stored = options.inputDefinitionFile === undefined
    ? loadComputer(options)
    : readDefinitionFile(options.inputDefinitionFile, options.partitionAmount);
  logger.info(stored ? 'Loaded computer definition' : 'Creating new computer definition', { computer: options.computerId, partitions: stored?.partitions.length ?? 0 });
  const draft = defineComputer(stored, options, options.inputDefinitionFile !== undefined);
  const state = await system.probe(probeRequestFor(draft));
  if ((options.alterUser || options.alterNetwork) && !options.dryRun && !state.isRoot) {
    throw new FormatError(FormatErrorCode.NOT_ROOT, 'root rights are needed to alter users or network; set alter_user and alter_network to False (or use --dry-run)');
  }
  const plan = planFormat(draft, options, state);
  for (const warning of plan.warnings) logger.warn(warning);
  if (options.dryRun) {
    logger.info('Dry run: nothing changed, nothing sent');
    return { plan, applied: false };
  }
  if (options.outputDefinitionFile !== undefined) {
    await writeDefinitionFile(options.outputDefinitionFile, plan.computer);
    logger.info('Stored computer definition', { path: options.outputDefinitionFile });
  }
  // partitions of the computer file stay recorded while they are re-applied; a definition file's are recorded once made
  const recorded = options.inputDefinitionFile === undefined ? draft.partitions.slice(0, stored?.partitions.length ?? 0) : [];
  await applyPlan(plan, system, { logger, storedPartitions: recorded, commit: (computer) => saveComputer(options, computer) });
  logger.info('Posting information to the master', { url: options.masterUrl });
  await reportComputer(plan.computer, options, logger);
  logger.info('slapformat successfully prepared computer.');
  return { plan, applied: true };
}
