import type { Command } from 'commander';

export function registerClientCommands(program: Command, node: Command): void {
  void program; void node; // filled by its issue
}
