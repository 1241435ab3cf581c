import type { Command } from 'commander';

export function registerInstanceCommands(node: Command): void {
  void node; // filled by its issue
}
