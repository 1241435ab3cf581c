import type { Command } from 'commander';

export function registerReportCommands(node: Command, program: Command): void {
  void node; void program; // filled by its issue
}
