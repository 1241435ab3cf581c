import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { registerProxyCommands } from './commands/proxy.ts';
import { registerFormatCommand } from './commands/node-format.ts';
import { registerSoftwareCommand } from './commands/node-software.ts';
import { registerInstanceCommands } from './commands/node-instance.ts';
import { registerReportCommands } from './commands/node-report.ts';
import { registerClientCommands } from './commands/client.ts';
import { registerBuildoutCommand } from './commands/buildout.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url.replace('/dist/src/', '/src/')), 'utf8')) as { version: string };

/** Builds the whole `slapos` command tree (exported for tests and completion). */
export function buildProgram(): Command {
  const program = new Command('slapos')
    .description('SlapOS: deploy software as a service on many machines (slapos.ts)')
    .version(pkg.version, '--version', 'print the version of slapos.ts')
    .showHelpAfterError('(run with --help for usage)')
    .enablePositionalOptions();
  const node = program.command('node').description('node operator commands: format, software, instance, report, supervisord...');
  registerFormatCommand(node);
  registerSoftwareCommand(node);
  registerInstanceCommands(node);
  registerReportCommands(node, program);
  registerProxyCommands(program);
  registerClientCommands(program, node);
  registerBuildoutCommand(program);
  return program;
}

await buildProgram().parseAsync(process.argv);
