/**
 * Applying a plan, one stage at a time. After each stage the computer file
 * is saved with every partition finished so far, so an interrupted run
 * leaves no half-made partition recorded: the next run re-plans the missing
 * ones and its steps find what was already done (existing user, directory,
 * address) and go on.
 */
import type { Logger } from '../log/index.ts';
import type { ComputerDefinition, PartitionDefinition } from './computer.ts';
import { describeStep, type Plan, type Step } from './plan.ts';
import type { System } from './system.ts';

export interface ApplyOptions {
  logger: Logger;
  /** Partitions of the computer file before this run (kept as they were until re-applied). */
  storedPartitions: PartitionDefinition[];
  /** Saves the computer as far as it is done. */
  commit: (computer: ComputerDefinition) => Promise<void>;
}

export async function applyPlan(plan: Plan, system: System, options: ApplyOptions): Promise<void> {
  const done: PartitionDefinition[] = [...options.storedPartitions];
  for (const stage of plan.stages) {
    for (const step of stage.steps) {
      options.logger.info(describeStep(step), { stage: stage.name });
      await applyStep(system, step);
    }
    if (stage.partition !== undefined) done[stage.partition] = plan.computer.partitions[stage.partition]!;
    // a stage that changed nothing leaves nothing to resume: it is recorded with the next commit
    if (stage.steps.length > 0) await options.commit({ ...plan.computer, partitions: [...done] });
  }
  await options.commit(plan.computer);
}

function applyStep(system: System, step: Step): Promise<unknown> {
  switch (step.kind) {
    case 'mkdir': return system.mkdir(step.path, step.mode);
    case 'chmod': return system.chmod(step.path, step.mode);
    case 'chown': return system.chown(step.path, step.user);
    case 'run': return system.run(step.argv);
    case 'address': return system.addAddress(step.interface, step.address);
  }
}
