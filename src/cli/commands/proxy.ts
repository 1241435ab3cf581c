import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { ConfigFile } from '../../config/index.ts';
import { createProxy, proxySettings, proxySnapshot, renderSnapshot, SqliteStore, SHOW_SECTIONS, type ShowSection } from '../../proxy/index.ts';
import { silentLogger } from '../../log/index.ts';
import { action, CliUsageError, DEFAULT_CONFIGURATION, loggerFrom, withLogOptions, type LogOptions } from '../context.ts';

interface ConfigOptions {
  cfg: string;
  databaseUri?: string;
}

interface StartOptions extends ConfigOptions, LogOptions {
  host?: string;
  port?: string;
}

interface ShowOptions extends ConfigOptions, Partial<Record<ShowSection, boolean>> {
  format: string;
}

function withConfigOptions(command: Command): Command {
  return command
    .option('--cfg <path>', 'SlapOS configuration file', process.env.SLAPOS_CONFIGURATION ?? DEFAULT_CONFIGURATION)
    .option('-u, --database-uri <path>', 'SQLite database of the proxy');
}

export function registerProxyCommands(program: Command): void {
  const proxy = program.command('proxy').description('minimalist, stand-alone SlapOS Master (slapproxy)');

  withLogOptions(withConfigOptions(proxy.command('start').description('start the proxy: serve the SLAP protocol from a SQLite database')))
    .option('--host <host>', 'address to listen on (default 127.0.0.1)')
    .option('--port <port>', 'port to listen on (default 8080)')
    .action(action(async (options: StartOptions) => {
      const settings = proxySettings(ConfigFile.load(options.cfg), options);
      const logger = loggerFrom({ ...options, logFile: options.logFile ?? settings.logFile ?? undefined });
      const server = await createProxy({
        databasePath: settings.databasePath,
        logger,
        computerId: settings.computerId,
        softwareProducts: settings.softwareProducts,
      });
      await server.listen(settings.host, settings.port);
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          logger.info('stopping proxy', { signal });
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
    }));

  const show = withConfigOptions(proxy.command('show').description('display computers, software releases, instances and their parameters'))
    .option('--format <format>', 'table, or json (always every section)', 'table');
  for (const section of SHOW_SECTIONS) show.option(`--${section}`, `show ${section} only (sections combine)`);
  show.action(action(async (options: ShowOptions) => {
    if (options.format !== 'table' && options.format !== 'json') throw new CliUsageError(`--format must be table or json, not ${JSON.stringify(options.format)}`);
    const settings = proxySettings(ConfigFile.load(options.cfg), options);
    // Showing must not create an empty database where the operator mistyped a path.
    if (!existsSync(settings.databasePath)) throw new CliUsageError(`no proxy database at ${settings.databasePath}`);
    const store = new SqliteStore({ databasePath: settings.databasePath, logger: silentLogger() });
    try {
      const snapshot = await proxySnapshot(store);
      const sections = SHOW_SECTIONS.filter((section) => options[section]);
      process.stdout.write(options.format === 'json' ? `${JSON.stringify(snapshot, null, 2)}\n` : renderSnapshot(snapshot, sections));
    } finally {
      await store.close();
    }
  }));
}
