import { spawn } from 'node:child_process';
import { BuildoutError, BuildoutErrorCode } from '../errors.ts';
import type { Logger } from '../../log/index.ts';
import type { RecipeContext, RecipeEntry, RecipeHost } from '../recipe.ts';

/** Runs `/bin/sh -c command` in `cwd`, passing its output through; resolves to the exit status. */
function runShell(command: string, host: RecipeHost, logger: Logger): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd: host.directory, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => host.writeOutput(chunk));
    child.stderr.on('data', (chunk: Buffer) => host.writeOutput(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal) logger.warn(`command killed by signal ${signal}`);
      resolvePromise(code ?? 128);
    });
  });
}

/**
 * `plone.recipe.command` 1.1: a shell command on install, another (optional)
 * on update; the exit status only matters with `stop-on-error`.
 */
export const commandRecipe: RecipeEntry = {
  signature: 'plone.recipe.command-ts1',
  create({ host, name, options, logger }: RecipeContext) {
    const command = options.getString('command', '');
    if (command.trim() === '') throw new BuildoutError(BuildoutErrorCode.OPTION_VALUE, `${name}: No command specified`);
    const updateCommand = options.getString('update-command', '');
    const stopOption = options.getString('stop-on-error', 'no').trim().toLowerCase();
    const stopOnError = ['yes', 'on', 'true'].includes(stopOption);
    if (!stopOnError && !['no', 'off', 'false', ''].includes(stopOption)) {
      logger.warn(`stop-on-error = '${stopOption}' is not yes/on/true/no/off/false; treated as false`);
    }
    const location = options.getString('location', '').split(/\s+/).filter(Boolean);
    const run = async (text: string): Promise<void> => {
      logger.info(`Running ${JSON.stringify(text)}`);
      const status = await runShell(text, host, logger);
      if (status !== 0 && stopOnError) {
        throw new BuildoutError(BuildoutErrorCode.RECIPE, `${name}: Non zero exit code (${status}) while running command.`);
      }
    };
    return {
      async install() {
        await run(command);
        return location;
      },
      async update() {
        if (updateCommand.trim() !== '') await run(updateCommand);
      },
    };
  },
};
