import { startPartitionGroup, stopPartitionGroup, writePartitionGroup, type SupervisordClient, type SupervisordLayout } from '../supervisord/index.ts';
import type { PartitionContext, ServicesPhase } from './phases.ts';

/** The partition's supervisord group (spec node.md §5.6): written and started, or removed. */
export class SupervisordServices implements ServicesPhase {
  constructor(private readonly layout: SupervisordLayout, private readonly client: SupervisordClient) {}

  async start(context: PartitionContext): Promise<void> {
    await writePartitionGroup(this.layout, this.client, { partitionId: context.id, partitionPath: context.path, account: context.account }, context.logger);
    await startPartitionGroup(this.client, context.id, context.logger);
  }

  async stop(context: PartitionContext): Promise<void> {
    await stopPartitionGroup(this.layout, this.client, context.id, context.logger);
  }
}
