import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BuildoutResult, BuildoutRunner, BuildoutRunOptions } from './types.ts';
import { childLaunchOf, ExternalBuildoutRunner } from './external.ts';

/** What a runner asks of whoever starts its child process. */
export interface ChildLaunch {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  user?: { uid: number; gid: number; name?: string };
  umask?: number;
  onOutput?: (chunk: string) => void;
  signal?: AbortSignal;
  /** Kill the child with its whole process group after this many seconds. */
  timeoutSeconds?: number;
}

/**
 * Starts a child and resolves with how it ended. Passed in by the caller
 * (slapgrid gives its privilege-dropping launcher), so this module does not
 * import the node machinery that sits above it.
 */
export type LaunchChild = (launch: ChildLaunch) => Promise<BuildoutResult>;

export interface BuildoutRunnerConfig {
  /** Path of an external zc.buildout script (slapos.cfg `buildout = …`); none = built-in engine. */
  buildout?: string;
}

/** The external zc.buildout when one is configured, as the original does; the built-in engine otherwise. */
export function createBuildoutRunner(config: BuildoutRunnerConfig, launch: LaunchChild): BuildoutRunner {
  if (config.buildout !== undefined && config.buildout !== '') return new ExternalBuildoutRunner(config.buildout, launch);
  return new BuiltinBuildoutRunner(launch);
}

/**
 * Runs this project's own `slapos buildout` in a child process (so that it can
 * run as the software or partition user), with the same Node binary.
 */
export class BuiltinBuildoutRunner implements BuildoutRunner {
  readonly kind = 'builtin' as const;

  constructor(private readonly launch: LaunchChild) {}

  run(options: BuildoutRunOptions): Promise<BuildoutResult> {
    return this.launch(childLaunchOf(options, process.execPath, [...slaposCliArgv(), 'buildout', '-c', options.config ?? 'buildout.cfg', ...(options.args ?? [])]));
  }
}

/**
 * Node arguments that start the `slapos` CLI: the compiled script next to this
 * file in dist/, or the TypeScript sources through tsx when running from them.
 */
export function slaposCliArgv(): string[] {
  const fromSources = import.meta.url.endsWith('.ts');
  const main = fileURLToPath(new URL(fromSources ? '../../cli/main.ts' : '../../cli/main.js', import.meta.url));
  if (!fromSources) return [main];
  const loader = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
  return ['--import', loader, main];
}
