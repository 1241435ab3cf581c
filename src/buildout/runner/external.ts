import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BuildoutResult, BuildoutRunner, BuildoutRunOptions } from './types.ts';
import type { ChildLaunch, LaunchChild } from './select.ts';

/**
 * A Python zc.buildout configured with slapos.cfg `buildout = <script>`, run
 * as the original does: when the target directory has no `bin/buildout` yet,
 * bootstrap it with the configured script; then run `bin/buildout -U` through
 * the interpreter named on its shebang line (avoiding the kernel's shebang
 * length limit for deep software directories).
 */
export class ExternalBuildoutRunner implements BuildoutRunner {
  readonly kind = 'external' as const;

  constructor(private readonly script: string, private readonly launch: LaunchChild) {}

  async run(options: BuildoutRunOptions): Promise<BuildoutResult> {
    const params = [...(options.args ?? []), '-c', options.config ?? 'buildout.cfg'];
    const local = join(options.directory, 'bin', 'buildout');
    if (!existsSync(local)) {
      options.logger.info(`Bootstrapping buildout in ${options.directory}`, { buildout: this.script });
      const bootstrap = await this.launchScript(resolve(this.script), [...params, 'bootstrap'], options);
      if (!bootstrap.ok) return bootstrap;
    }
    return this.launchScript(local, ['-U', ...params], options);
  }

  private launchScript(script: string, args: string[], options: BuildoutRunOptions): Promise<BuildoutResult> {
    return runThroughInterpreter(script, args, (command, commandArgs) => this.launch(childLaunchOf(options, command, commandArgs)));
  }
}

/**
 * Runs a buildout script through the interpreter named on its `#!` line
 * (avoiding the kernel's shebang length limit for deep software
 * directories). A script that cannot be read is a failed run, reported like
 * any buildout failure.
 */
export function runThroughInterpreter(
  script: string, args: string[], start: (command: string, args: string[]) => Promise<BuildoutResult>,
): Promise<BuildoutResult> {
  const interpreter = interpreterOf(script);
  if ('unreadable' in interpreter) {
    return Promise.resolve({ ok: false, exitCode: null, signal: null, outputTail: `buildout script ${script} cannot be read: ${interpreter.unreadable}\n` });
  }
  const [command, ...prefix] = [...interpreter.words, script];
  return start(command!, [...prefix, ...args]);
}

/**
 * How either runner starts its child for a run: in the run's directory, as
 * its user, with its environment, umask, output callback, abort signal and
 * time limit.
 * (Here rather than in select.ts, which imports this file, to keep imports one-way.)
 */
export function childLaunchOf(options: BuildoutRunOptions, command: string, args: string[]): ChildLaunch {
  return {
    command,
    args,
    cwd: options.directory,
    env: options.env ?? process.env,
    user: options.user,
    umask: options.umask,
    onOutput: options.onOutput,
    signal: options.signal,
    timeoutSeconds: options.timeoutSeconds,
  };
}

/** The words of a script's `#!` line (none when it has no such line), or why it cannot be read. */
function interpreterOf(script: string): { words: string[] } | { unreadable: string } {
  let firstLine: string;
  try {
    firstLine = readFileSync(script, 'utf8').split('\n', 1)[0] ?? '';
  } catch (error) {
    return { unreadable: (error as Error).message };
  }
  return { words: firstLine.startsWith('#!') ? firstLine.slice(2).trim().split(/\s+/) : [] };
}
