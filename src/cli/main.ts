import { Command } from 'commander';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url.replace('/dist/src/', '/src/')), 'utf8')) as { version: string };

type Registrar = (program: Command, node: Command) => void;
type CommandFile = 'proxy' | 'format' | 'software' | 'instance' | 'report' | 'client' | 'buildout';

/**
 * The command files, loaded on demand: each pulls in its module (the proxy
 * brings fastify and SQLite, the node brings slapgrid...), and a CLI started
 * by supervisord, a promise or a test should not pay for the others.
 */
const COMMAND_FILES: Record<CommandFile, () => Promise<Registrar>> = {
  proxy: async () => (await import('./commands/proxy.ts')).registerProxyCommands,
  format: async () => {
    const { registerFormatCommand } = await import('./commands/node-format.ts');
    return (_program, node) => registerFormatCommand(node);
  },
  software: async () => {
    const { registerSoftwareCommand } = await import('./commands/node-software.ts');
    return (_program, node) => registerSoftwareCommand(node);
  },
  instance: async () => {
    const { registerInstanceCommands } = await import('./commands/node-instance.ts');
    return (_program, node) => registerInstanceCommands(node);
  },
  report: async () => {
    const { registerReportCommands } = await import('./commands/node-report.ts');
    return (_program, node) => registerReportCommands(node);
  },
  client: async () => (await import('./commands/client.ts')).registerClientCommands,
  buildout: async () => (await import('./commands/buildout.ts')).registerBuildoutCommand,
};
const ALL = Object.keys(COMMAND_FILES) as CommandFile[];

/** Which command files a first word needs; anything else (help, completion, a typo) loads them all. */
const NEEDED_BY_FIRST_WORD: Record<string, CommandFile[]> = {
  '--version': [],
  proxy: ['proxy'],
  buildout: ['buildout'],
  node: ['format', 'software', 'instance', 'report', 'client'],
  ...Object.fromEntries(['request', 'supply', 'remove', 'list', 'info', 'service', 'computer', 'configure', 'cache', 'cachelookup', 'console'].map((word) => [word, ['client']])),
};

/**
 * Builds the `slapos` command tree with the given command files (all by
 * default, as help and shell completion need).
 */
export async function buildProgram(files: readonly CommandFile[] = ALL): Promise<Command> {
  const program = new Command('slapos')
    .description('SlapOS: deploy software as a service on many machines (slapos.ts)')
    .version(pkg.version, '--version', 'print the version of slapos.ts')
    .showHelpAfterError('(run with --help for usage)')
    .enablePositionalOptions();
  const node = program.command('node').description('node operator commands: format, software, instance, report, supervisord...');
  const registrars = await Promise.all(ALL.filter((file) => files.includes(file)).map((file) => COMMAND_FILES[file]()));
  for (const register of registrars) register(program, node);
  return program;
}

// `slapos proxy show | head` closes the pipe early: that ends the output, not in a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

/** Which command file a `slapos node` word needs; `slapos node --help` loads them all. */
const NEEDED_BY_NODE_WORD: Record<string, CommandFile> = {
  format: 'format',
  software: 'software',
  ...Object.fromEntries(['instance', 'promise', 'supervisord', 'supervisorctl', 'status', 'start', 'stop', 'restart', 'tail'].map((word) => [word, 'instance'])),
  ...Object.fromEntries(['report', 'bang', 'boot', 'watchdog'].map((word) => [word, 'report'])),
  register: 'client',
};

function neededFiles(argv: readonly string[]): readonly CommandFile[] {
  const [first, second] = argv;
  if (first === 'node' && second !== undefined && NEEDED_BY_NODE_WORD[second]) return [NEEDED_BY_NODE_WORD[second]];
  return (first !== undefined && NEEDED_BY_FIRST_WORD[first]) || ALL;
}

const files = neededFiles(process.argv.slice(2));
await (await buildProgram(files)).parseAsync(process.argv);
