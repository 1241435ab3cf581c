import type { Command } from 'commander';
import { annotateConfiguration, annotateText, BUILDOUT_USAGE, parseBuildoutArguments, queryOption, runBuildout } from '../../buildout/index.ts';
import { Logger } from '../../log/index.ts';
import { action } from '../context.ts';

/**
 * `slapos buildout [-c buildout.cfg] [-o] [-N] [-v] [section:option=value ...] [install [part ...] | query s:o | annotate [section ...]]`:
 * runs a profile in the current directory with the built-in engine, as
 * `bin/buildout` does (slapgrid's built-in runner spawns this command).
 */
export function registerBuildoutCommand(program: Command): void {
  program
    .command('buildout')
    .description('run a buildout profile in the current directory with the built-in engine (like bin/buildout)')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[arguments...]', 'bin/buildout options (-c FILE, -o, -N, -v, -U...), section:option=value assignments, install [part...], query section:option or annotate [section...] [--format json] [--resolve]')
    .action(action(async (argv: string[]) => {
      const args = parseBuildoutArguments(argv);
      if (args.help) {
        process.stdout.write(`${BUILDOUT_USAGE}\n`);
        return;
      }
      if (args.command === 'annotate') {
        const request = { configFile: args.configFile, cwd: process.cwd(), assignments: args.assignments };
        process.stdout.write(args.format === 'json'
          ? `${JSON.stringify(await annotateConfiguration({ ...request, resolve: args.resolve }), null, 1)}\n`
          : await annotateText({ ...request, sections: args.parts }));
        return;
      }
      if (args.command === 'query') {
        process.stdout.write(`${await queryOption({ cwd: process.cwd(), argv })}\n`);
        return;
      }
      const logger = new Logger({ level: args.verbosity > 0 ? 'debug' : args.verbosity < 0 ? 'warn' : 'info', format: 'plain', sinks: [process.stdout] });
      try {
        await runBuildout({ cwd: process.cwd(), argv, logger, output: (chunk) => process.stdout.write(chunk) });
      } catch (error) {
        if (args.debug && error instanceof Error) process.stderr.write(`${error.stack}\n`);
        throw error;
      }
    }));
}
