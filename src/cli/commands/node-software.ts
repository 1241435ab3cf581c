import type { Command } from 'commander';

export function registerSoftwareCommand(node: Command): void {
  void node; // filled by its issue
}
