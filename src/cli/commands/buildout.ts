import type { Command } from 'commander';

export function registerBuildoutCommand(program: Command): void {
  void program; // filled by its issue
}
