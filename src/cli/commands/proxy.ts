import type { Command } from 'commander';

export function registerProxyCommands(program: Command): void {
  void program; // filled by its issue
}
