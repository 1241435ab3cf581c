import type { Command } from 'commander';

export function registerFormatCommand(node: Command): void {
  void node; // filled by its issue
}
